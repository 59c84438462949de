"""The planner's estimate of a name search (issue 16).

With the default 100 sampled values, a family name that three in a hundred employees carry
("المالكي", 29,677 of 1,000,000) can be missing from the sample: PostgreSQL then estimated
100 matches, sorted a trigram bitmap of 9,904 rows to show 51 (124 ms), and the search's own
check for a common name (`planner_estimate`) took it for a rare one. With 1,000 sampled
values it estimated 28,023 and walked the national-ID index instead (3.7 ms). ANALYZE of
that column took 1.6 s at 1M employees.
"""

from django.db import migrations

from core.migration_operations import SetStatisticsTarget


class Migration(migrations.Migration):
    dependencies = [("employment_records", "0013_console_list_order_indexes")]

    operations = [SetStatisticsTarget("employment_records_employee", "name_normalised", 1000)]
