from bayan.checks import pension_authority_configured


def test_deploy_check_refuses_the_simulator(settings):
    settings.PENSION_SIMULATOR = True
    assert [e.id for e in pension_authority_configured(None)] == ["bayan.E001"]
    settings.PENSION_SIMULATOR = False
    settings.PENSION_API_URL = ""
    assert [e.id for e in pension_authority_configured(None)] == ["bayan.W001"]
    settings.PENSION_API_URL = "https://pension.example.sa/api/statements/"
    assert pension_authority_configured(None) == []
