"""Arabic date formats written the Arabic way: day month year with the Gregorian era mark,
the Arabic comma before the time, never Django's default Latin 'N j, Y, P'."""

DATE_FORMAT = "j F Yم"
DATETIME_FORMAT = "j F Yم، H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Yم"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
