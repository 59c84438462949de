"""The general salary scale (reference data) and the rule that places a promoted employee on it.

The figures seed the `SalaryScale` table; `promotion_step` is a civil-service rule, so it lives
here with the record rather than in the demo data that happens to use it.
"""

from decimal import Decimal

# The general scale: basic salary of step 1 and the annual increment of each rank (SAR).
SCALE_BASE = (
    3000,
    3320,
    3700,
    4130,
    4610,
    5160,
    5780,
    6480,
    7270,
    8170,
    9550,
    11190,
    13130,
    16160,
    20570,
)
SCALE_INCREMENT = (135, 155, 175, 195, 220, 250, 285, 325, 370, 420, 480, 550, 640, 760, 920)


def salary_amount(rank: int, step: int) -> Decimal:
    return Decimal(SCALE_BASE[rank - 1] + (step - 1) * SCALE_INCREMENT[rank - 1]).quantize(
        Decimal("0.01")
    )


def salary_scale_rows() -> list[tuple[int, int, Decimal]]:
    return [
        (rank, step, salary_amount(rank, step)) for rank in range(1, 16) for step in range(1, 16)
    ]


def promotion_step(rank: int, step: int, new_rank: int) -> int:
    """The first step of the new rank paying more than the current salary (15 at most)."""
    current = salary_amount(rank, step)
    for new_step in range(1, 16):
        if salary_amount(new_rank, new_step) > current:
            return new_step
    return 15
