from nafath_sim.testing import nafath  # noqa: F401 - fixture
