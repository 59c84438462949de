"""Render time of the service statement PDF (core.pdf: WeasyPrint, bundled fonts).

    .venv/bin/python bench/pdf_render.py [--runs 30]

Renders the real template with in-memory (unsaved) records, so only template + HTML -> PDF is
timed, not the database. First it times the process's one-off costs (`core.pdf.warm_up()`:
importing WeasyPrint, fonts, stylesheet; documents workers pay it at start) and the first
statement after them; then the warm renders for records of 8, 16 and 41 entries (the rows of
issue 16). For each: the median and p95 of the wall-clock time, and the median CPU time of
the process, which other work on a shared machine does not inflate. Target: median <= 300 ms
for 1-2 pages on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masar.settings")

import django  # noqa: E402

django.setup()

from django.utils import timezone, translation  # noqa: E402

from core.models import Document  # noqa: E402
from core.pdf import qr_data_uri, render_pdf, warm_up  # noqa: E402
from employment_records import models as m  # noqa: E402
from employment_records.documents import statement_context as template_context  # noqa: E402
from employment_records.tests.pdf_text import page_count  # noqa: E402

TEMPLATE = "employment_records/documents/service_statement.html"


def statement_context(entries: int) -> dict:
    entity = m.GovernmentEntity(code="MOH", name_ar="وزارة الصحة", name_en="Ministry of Health")
    unit = m.OrganisationalUnit(
        entity=entity, code="HR", name_ar="إدارة الموارد البشرية", name_en="HR"
    )
    job_class = m.JobClass(
        code="1234", title_ar="أخصائي موارد بشرية", title_en="HR specialist", rank=8
    )
    position = m.Position(number="004512", entity=entity, unit=unit, job_class=job_class, rank=8)
    employee = m.Employee(
        national_id="1012345672",
        first_name_ar="محمد", father_name_ar="عبدالله", grandfather_name_ar="سعد",
        family_name_ar="القحطاني", first_name_en="Mohammed", father_name_en="Abdullah",
        grandfather_name_en="Saad", family_name_en="Al-Qahtani", gender="m",
        date_of_birth=dt.date(1988, 3, 15), entity=entity, unit=unit, position=position,
        rank=8, step=5, hire_date=dt.date(2010, 9, 1),
    )  # fmt: skip
    kinds = list(m.ActionType)
    actions = [
        m.EmploymentAction(
            employee=employee,
            action_type=kinds[i % len(kinds)],
            decision_number=f"14{30 + i // 12}/{i:05d}",
            decision_date=dt.date(2010, 9, 1) + dt.timedelta(days=90 * i),
            effective_date=dt.date(2010, 9, 1) + dt.timedelta(days=90 * i + 10),
            from_rank=7,
            to_rank=8,
            to_step=1 + i % 15,
        )
        for i in range(entries)
    ]
    document = Document(code="7K2M9QXD4TPA", kind="service_statement", holder=employee)
    url = "https://masar.example.sa/verify/7K2M9QXD4TPA/"
    return {
        **template_context(employee=employee, actions=actions, end=dt.date(2026, 11, 28)),
        "document": document,
        "issued_at": timezone.now(),
        "verification_url": url,
        "qr_data_uri": qr_data_uri(url),
    }


def measure(entries: int, runs: int) -> tuple[list[float], list[float], int]:
    context = statement_context(entries)
    for _ in range(2):  # warm-up: template cache, glyphs of this record
        pdf = render_pdf(TEMPLATE, context)
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        pdf = render_pdf(TEMPLATE, context)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu, page_count(pdf)


def once(function) -> tuple[float, float]:
    start, start_cpu = time.perf_counter(), time.process_time()
    function()
    return (time.perf_counter() - start) * 1000, (time.process_time() - start_cpu) * 1000


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    print(f"PDF render (cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f})")
    with translation.override("ar"):
        wall, cpu = once(warm_up)
        print(f"  process warm-up (import, fonts, stylesheet): {wall:6.0f} ms  cpu {cpu:6.0f} ms")
        context = statement_context(8)
        wall, cpu = once(lambda: render_pdf(TEMPLATE, context))
        print(f"  first statement after it (8 entries):        {wall:6.0f} ms  cpu {cpu:6.0f} ms")
        print(f"  warm renders, {args.runs} runs each:")
        for entries in (8, 16, 41):
            wall, cpu, pages = measure(entries, args.runs)
            print(
                f"    {entries:2} entries  pages={pages}  median={statistics.median(wall):6.1f} ms"
                f"  p95={p95(wall):6.1f} ms  cpu median={statistics.median(cpu):6.1f} ms"
            )


if __name__ == "__main__":
    main()
