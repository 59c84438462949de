"""Demo and benchmark data: name lists, reference data and pure generators (no database access).

`seed_demo` turns `build_demo()` into rows; `seed_scale` calls `random_employee()` directly.
Everything is deterministic: the same `random.Random` seed gives the same people, positions
and histories, and every date is computed from `REFERENCE_DATE`, not from today, so running
the seed on another day produces the same records.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache

from hijridate import Hijri

from core.validators import luhn_valid
from employment_records.models import (
    ActionType,
    DecisionStatus,
    EmployeeStatus,
    EndReason,
    Gender,
    PositionStatus,
    QualificationLevel,
    Rating,
)
from employment_records.salary_scale import promotion_step

SEED = 1448
# "Today" for the demo. Histories, evaluations and ages are computed from this date.
REFERENCE_DATE = dt.date(2026, 11, 1)
PASSWORD = "Masar@2026demo"  # noqa: S105 - the documented demo password (README)
EMPLOYEE_COUNT = 123  # the personas, 114 random employees and 3 Bayan retirees
BAYAN_RETIREE_REASONS = (EndReason.RETIREMENT, EndReason.RETIREMENT, EndReason.RESIGNATION)
SECOND_HR_MOBILE = "+966500000007"  # the second HR specialist (Bayan's maker-checker)
POSITION_TARGET = 200
EVALUATION_YEARS = (1444, 1445, 1446, 1447)  # the last four complete Hijri years
MIN_YEARS_IN_RANK = 4

Q = QualificationLevel


# --- Reference data -----------------------------------------------------------------------


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name_ar: str
    name_en: str
    kinds: tuple[str, ...]  # the job-class kinds whose positions sit in this unit


@dataclass(frozen=True)
class EntitySpec:
    code: str
    name_ar: str
    name_en: str
    position_prefix: str  # position numbers of this entity: prefix + 4 digits
    units: tuple[UnitSpec, ...]


def _common_units(core: UnitSpec) -> tuple[UnitSpec, ...]:
    return (
        UnitSpec(
            "HR",
            "الإدارة العامة للموارد البشرية",
            "General Directorate of Human Resources",
            ("hr",),
        ),
        UnitSpec(
            "FIN",
            "الإدارة العامة للشؤون المالية والإدارية",
            "General Directorate of Financial and Administrative Affairs",
            ("finance", "admin"),
        ),
        UnitSpec(
            "IT",
            "الإدارة العامة لتقنية المعلومات",
            "General Directorate of Information Technology",
            ("it",),
        ),
        UnitSpec(
            "LEG",
            "الإدارة العامة للشؤون القانونية",
            "General Directorate of Legal Affairs",
            ("legal",),
        ),
        core,
    )


ENTITIES: tuple[EntitySpec, ...] = (
    EntitySpec(
        "MHRSD",
        "وزارة الموارد البشرية والتنمية الاجتماعية",
        "Ministry of Human Resources and Social Development",
        "11",
        _common_units(
            UnitSpec(
                "CSA",
                "وكالة الوزارة لشؤون الخدمة المدنية",
                "Deputyship for Civil Service Affairs",
                ("admin", "leadership"),
            )
        ),
    ),
    EntitySpec(
        "MOH",
        "وزارة الصحة",
        "Ministry of Health",
        "21",
        _common_units(
            UnitSpec(
                "HOS",
                "الإدارة العامة للمستشفيات",
                "General Directorate of Hospitals",
                ("admin", "leadership"),
            )
        ),
    ),
    EntitySpec(
        "MOE",
        "وزارة التعليم",
        "Ministry of Education",
        "31",
        _common_units(
            UnitSpec(
                "CUR",
                "الإدارة العامة للمناهج",
                "General Directorate of Curricula",
                ("admin", "leadership"),
            )
        ),
    ),
)
ENTITIES_BY_CODE = {entity.code: entity for entity in ENTITIES}


@dataclass(frozen=True)
class JobClassSpec:
    code: str
    title_ar: str
    title_en: str
    general_group: str
    series: str
    rank: int
    min_qualification: str
    min_experience_years: int
    kind: str


_ADMIN = ("الوظائف الإدارية", "الشؤون الإدارية", "admin")
_LEAD = ("الوظائف القيادية", "القيادات الإدارية", "leadership")
_HR = ("الوظائف الإدارية", "شؤون الموظفين", "hr")
_FIN = ("الوظائف المالية", "المحاسبة والمراجعة", "finance")
_IT = ("الوظائف الحاسبية", "تقنية المعلومات", "it")
_LAW = ("الوظائف القانونية", "الأنظمة والاستشارات القانونية", "legal")


def _job(code, title_ar, title_en, family, rank, qualification, experience=0) -> JobClassSpec:
    group, series, kind = family
    return JobClassSpec(
        code, title_ar, title_en, group, series, rank, qualification, experience, kind
    )


JOB_CLASSES: tuple[JobClassSpec, ...] = (
    _job("ADM-01", "مراسل", "Messenger", _ADMIN, 1, Q.NONE),
    _job("ADM-02", "كاتب أرشيف", "Archive clerk", _ADMIN, 2, Q.SECONDARY),
    _job("ADM-03", "كاتب إداري", "Administrative clerk", _ADMIN, 3, Q.SECONDARY),
    _job("ADM-04", "سكرتير", "Secretary", _ADMIN, 4, Q.SECONDARY, 2),
    _job("ADM-05", "مساعد إداري", "Administrative assistant", _ADMIN, 5, Q.DIPLOMA),
    _job("ADM-06", "باحث إداري", "Administrative researcher", _ADMIN, 6, Q.BACHELOR),
    _job("ADM-07", "أخصائي إداري", "Administrative specialist", _ADMIN, 7, Q.BACHELOR),
    _job("ADM-08", "باحث إداري أول", "Senior administrative researcher", _ADMIN, 8, Q.BACHELOR, 4),
    _job(
        "ADM-09",
        "رئيس قسم الشؤون الإدارية",
        "Head of administrative affairs section",
        _ADMIN,
        9,
        Q.BACHELOR,
        6,
    ),
    _job("ADM-10", "مدير إدارة", "Department manager", _ADMIN, 10, Q.BACHELOR, 8),
    _job("LDR-11", "مدير إدارة عامة", "General department director", _LEAD, 11, Q.BACHELOR, 10),
    _job("LDR-12", "مدير عام", "Director general", _LEAD, 12, Q.BACHELOR, 12),
    _job("LDR-13", "وكيل وزارة مساعد", "Assistant deputy minister", _LEAD, 13, Q.BACHELOR, 14),
    _job("LDR-14", "وكيل وزارة", "Deputy minister", _LEAD, 14, Q.BACHELOR, 16),
    _job("LDR-15", "نائب وزير", "Vice minister", _LEAD, 15, Q.MASTER, 18),
    _job("PER-03", "كاتب شؤون موظفين", "Personnel clerk", _HR, 3, Q.SECONDARY),
    _job("PER-07", "أخصائي موارد بشرية", "Human resources specialist", _HR, 7, Q.BACHELOR),
    _job(
        "PER-08",
        "أخصائي موارد بشرية أول",
        "Senior human resources specialist",
        _HR,
        8,
        Q.BACHELOR,
        4,
    ),
    _job("PER-09", "رئيس قسم شؤون الموظفين", "Head of personnel section", _HR, 9, Q.BACHELOR, 6),
    _job("PER-10", "مستشار موارد بشرية", "Human resources adviser", _HR, 10, Q.BACHELOR, 8),
    _job("FIN-04", "مساعد محاسب", "Assistant accountant", _FIN, 4, Q.DIPLOMA),
    _job("FIN-06", "محاسب", "Accountant", _FIN, 6, Q.BACHELOR),
    _job("FIN-08", "محاسب أول", "Senior accountant", _FIN, 8, Q.BACHELOR, 4),
    _job("FIN-09", "مراجع حسابات", "Financial auditor", _FIN, 9, Q.BACHELOR, 6),
    _job("ITC-05", "فني حاسب آلي", "Computer technician", _IT, 5, Q.DIPLOMA),
    _job("ITC-07", "مبرمج", "Programmer", _IT, 7, Q.BACHELOR),
    _job("ITC-08", "محلل نظم", "Systems analyst", _IT, 8, Q.BACHELOR, 3),
    _job("ITC-09", "مهندس أمن معلومات", "Information security engineer", _IT, 9, Q.BACHELOR, 5),
    _job("LAW-07", "باحث قانوني", "Legal researcher", _LAW, 7, Q.BACHELOR),
    _job("LAW-10", "مستشار قانوني", "Legal adviser", _LAW, 10, Q.MASTER, 6),
)
JOB_CLASSES_BY_CODE = {job.code: job for job in JOB_CLASSES}
KINDS = ("admin", "hr", "finance", "it", "legal")


def classes_for(rank: int, kind: str) -> list[JobClassSpec]:
    """Classes of this rank for this kind, else administrative ones, else any of the rank."""
    return _classes_for(rank, kind)


@cache
def _classes_for(rank: int, kind: str) -> list[JobClassSpec]:
    at_rank = [job for job in JOB_CLASSES if job.rank == rank]
    for wanted in (kind, "admin", "leadership"):
        found = [job for job in at_rank if job.kind == wanted]
        if found:
            return found
    return at_rank


def units_for(entity: EntitySpec, kind: str) -> list[UnitSpec]:
    return [unit for unit in entity.units if kind in unit.kinds] or list(entity.units)


# --- Names ----------------------------------------------------------------------------------

MALE_NAMES = (
    ("محمد", "Mohammed"),
    ("أحمد", "Ahmed"),
    ("عبدالله", "Abdullah"),
    ("عبدالرحمن", "Abdulrahman"),
    ("عبدالعزيز", "Abdulaziz"),
    ("خالد", "Khalid"),
    ("فهد", "Fahad"),
    ("سعد", "Saad"),
    ("سلطان", "Sultan"),
    ("فيصل", "Faisal"),
    ("تركي", "Turki"),
    ("ناصر", "Nasser"),
    ("سعود", "Saud"),
    ("بندر", "Bandar"),
    ("ماجد", "Majed"),
    ("عمر", "Omar"),
    ("علي", "Ali"),
    ("إبراهيم", "Ibrahim"),
    ("يوسف", "Yousef"),
    ("حمد", "Hamad"),
    ("سليمان", "Sulaiman"),
    ("صالح", "Saleh"),
    ("عبدالمجيد", "Abdulmajeed"),
    ("نايف", "Naif"),
    ("مشعل", "Mishal"),
    ("منصور", "Mansour"),
    ("طلال", "Talal"),
    ("بدر", "Badr"),
    ("راشد", "Rashid"),
    ("ياسر", "Yasser"),
    ("وليد", "Waleed"),
    ("عادل", "Adel"),
    ("حسن", "Hassan"),
    ("مازن", "Mazen"),
    ("زياد", "Ziyad"),
    ("هشام", "Hisham"),
    ("عبدالملك", "Abdulmalik"),
    ("مساعد", "Musaed"),
    ("ثامر", "Thamer"),
    ("نواف", "Nawaf"),
    ("عبدالإله", "Abdulelah"),
    ("محمود", "Mahmoud"),
)
FEMALE_NAMES = (
    ("نورة", "Noura"),
    ("سارة", "Sarah"),
    ("فاطمة", "Fatimah"),
    ("مريم", "Maryam"),
    ("ريم", "Reem"),
    ("هيفاء", "Haifa"),
    ("لمى", "Lama"),
    ("منيرة", "Munirah"),
    ("الجوهرة", "Aljawhara"),
    ("عبير", "Abeer"),
    ("أمل", "Amal"),
    ("هند", "Hind"),
    ("دانة", "Dana"),
    ("رهف", "Rahaf"),
    ("شهد", "Shahad"),
    ("غادة", "Ghada"),
    ("نوف", "Nouf"),
    ("العنود", "Alanoud"),
    ("أسماء", "Asma"),
    ("خلود", "Kholoud"),
    ("بشاير", "Bashayer"),
    ("وعد", "Waad"),
    ("جواهر", "Jawaher"),
    ("لطيفة", "Latifah"),
    ("حصة", "Hessa"),
    ("مها", "Maha"),
    ("ندى", "Nada"),
    ("روان", "Rawan"),
    ("عائشة", "Aisha"),
    ("منال", "Manal"),
)
FAMILY_NAMES = (
    ("القحطاني", "Al-Qahtani"),
    ("العتيبي", "Al-Otaibi"),
    ("الدوسري", "Al-Dosari"),
    ("الغامدي", "Al-Ghamdi"),
    ("الزهراني", "Al-Zahrani"),
    ("الشهري", "Al-Shehri"),
    ("الحربي", "Al-Harbi"),
    ("المطيري", "Al-Mutairi"),
    ("الشمري", "Al-Shammari"),
    ("العنزي", "Al-Anazi"),
    ("السبيعي", "Al-Subaie"),
    ("الرشيدي", "Al-Rashidi"),
    ("البقمي", "Al-Buqami"),
    ("المالكي", "Al-Malki"),
    ("العمري", "Al-Omari"),
    ("الأحمدي", "Al-Ahmadi"),
    ("السهلي", "Al-Sahli"),
    ("الجهني", "Al-Juhani"),
    ("البلوي", "Al-Balawi"),
    ("الشهراني", "Al-Shahrani"),
    ("العسيري", "Al-Asiri"),
    ("القرني", "Al-Qarni"),
    ("الخالدي", "Al-Khalidi"),
    ("التميمي", "Al-Tamimi"),
    ("العمودي", "Al-Amoudi"),
    ("الفيفي", "Al-Faifi"),
    ("اليامي", "Al-Yami"),
    ("الهاجري", "Al-Hajri"),
    ("المري", "Al-Marri"),
    ("الثقفي", "Al-Thaqafi"),
    ("الحارثي", "Al-Harthi"),
    ("السلمي", "Al-Sulami"),
)
# Residents (first digit 2): Arab nationalities, Egyptian/Levantine spellings.
RESIDENT_NATIONALITIES = ("EG", "EG", "JO", "SD", "SY", "YE", "TN")
RESIDENT_MALE_NAMES = (
    ("أحمد", "Ahmed"),
    ("محمود", "Mahmoud"),
    ("مصطفى", "Mostafa"),
    ("عمرو", "Amr"),
    ("حسام", "Hossam"),
    ("طارق", "Tarek"),
    ("هاني", "Hany"),
    ("كريم", "Karim"),
    ("إيهاب", "Ehab"),
    ("وائل", "Wael"),
    ("محمد", "Mohamed"),
    ("سامي", "Samy"),
)
RESIDENT_FEMALE_NAMES = (
    ("منى", "Mona"),
    ("هبة", "Heba"),
    ("رانيا", "Rania"),
    ("ياسمين", "Yasmin"),
    ("دينا", "Dina"),
    ("سلمى", "Salma"),
)
RESIDENT_FAMILY_NAMES = (
    ("السيد", "El-Sayed"),
    ("عبدالفتاح", "Abdelfattah"),
    ("الشريف", "El-Sherif"),
    ("حسين", "Hussein"),
    ("عثمان", "Osman"),
    ("النجار", "El-Naggar"),
    ("الخطيب", "Al-Khatib"),
    ("حداد", "Haddad"),
    ("المصري", "El-Masry"),
    ("عبدالحليم", "Abdelhalim"),
)


@dataclass(frozen=True)
class Person:
    national_id: str
    first: tuple[str, str]  # (Arabic, English)
    father: tuple[str, str]
    grandfather: tuple[str, str]
    family: tuple[str, str]
    gender: str
    nationality: str
    date_of_birth: dt.date

    def name_fields(self) -> dict[str, str]:
        return {
            "first_name_ar": self.first[0],
            "father_name_ar": self.father[0],
            "grandfather_name_ar": self.grandfather[0],
            "family_name_ar": self.family[0],
            "first_name_en": self.first[1],
            "father_name_en": self.father[1],
            "grandfather_name_en": self.grandfather[1],
            "family_name_en": self.family[1],
        }


def pick_names(rng: random.Random, gender: str, *, resident: bool = False):
    """(first, father, grandfather, family), each an (Arabic, English) pair."""
    males = RESIDENT_MALE_NAMES if resident else MALE_NAMES
    firsts = (
        (RESIDENT_FEMALE_NAMES if resident else FEMALE_NAMES) if gender == Gender.FEMALE else males
    )
    first = rng.choice(firsts)
    father = rng.choice([name for name in males if name != first])
    grandfather = rng.choice([name for name in males if name != father])
    family = rng.choice(RESIDENT_FAMILY_NAMES if resident else FAMILY_NAMES)
    return first, father, grandfather, family


# --- National IDs ---------------------------------------------------------------------------


def with_check_digit(body: str) -> str:
    """The nine digits `body` plus the one check digit that makes the ID Luhn-valid
    (`core.validators.luhn_valid`: digits 1, 3, 5, 7, 9 doubled, the sum ends in 0)."""
    total = 0
    for index, char in enumerate(body):
        digit = int(char) * (2 if index % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    national_id = f"{body}{-total % 10}"
    assert luhn_valid(national_id)  # noqa: S101 - cheap, and a wrong ID would poison the data
    return national_id


def random_national_id(rng: random.Random, first_digit: str, taken: set[str]) -> str:
    """A random valid ID for demo data. Its second digit is 1-8: 0 is the factories' range
    and 9 is `seed_scale`'s."""
    while True:
        body = f"{first_digit}{rng.randint(1, 8)}{rng.randint(0, 9_999_999):07d}"
        national_id = with_check_digit(body)
        if national_id not in taken:
            taken.add(national_id)
            return national_id


SCALE_ID_MAX = 9_999_999


def scale_national_id(counter: int, *, resident: bool = False) -> str:
    """The benchmark range: first digit 1 or 2, then 9, then a seven-digit counter."""
    if not 0 <= counter <= SCALE_ID_MAX:
        raise ValueError(f"seed_scale counter {counter} is outside 0-{SCALE_ID_MAX}")
    return with_check_digit(f"{'2' if resident else '1'}9{counter:07d}")


# --- Hijri years ----------------------------------------------------------------------------


@cache
def hijri_new_year(year: int) -> dt.date:
    """1 Muharram of a Hijri year, Gregorian (Umm al-Qura)."""
    return dt.date(*Hijri(year, 1, 1).to_gregorian().datetuple())


@lru_cache(maxsize=1)
def _new_year_ordinals() -> tuple[list[int], int]:
    first = 1344
    return [hijri_new_year(year).toordinal() for year in range(first, 1500)], first


def hijri_year_of(value: dt.date) -> int:
    """`core.dates.hijri_year` by bisection over cached new-year dates (hot loops)."""
    ordinals, first = _new_year_ordinals()
    return first + bisect.bisect_right(ordinals, value.toordinal()) - 1


# --- Careers --------------------------------------------------------------------------------


@dataclass(slots=True)
class ActionSpec:
    action_type: str
    effective_date: dt.date
    decision_date: dt.date | None = None
    decision_number: str = ""
    from_position: str | None = None
    to_position: str | None = None
    from_rank: int | None = None
    to_rank: int | None = None
    from_step: int | None = None
    to_step: int | None = None
    notes: str = ""


@dataclass(slots=True)
class TrainingSpec:
    title_ar: str
    title_en: str
    provider: str
    decision_number: str
    decision_date: dt.date
    start_date: dt.date
    end_date: dt.date
    hours: int
    status: str
    action: ActionSpec | None = None  # the record's training action, once it has started


@dataclass(slots=True)
class ScholarshipSpec:
    degree: str
    field_of_study: str
    institution: str
    country: str
    decision_number: str
    decision_date: dt.date
    start_date: dt.date
    end_date: dt.date
    status: str
    action: ActionSpec | None = None


@dataclass(slots=True)
class QualificationSpec:
    level: str
    major: str
    institution: str
    graduation_date: dt.date


@dataclass(slots=True)
class EvaluationSpec:
    year: int
    score: Decimal
    rating: str


@dataclass(slots=True)
class Career:
    hire_date: dt.date
    rank: int
    step: int
    rank_since: dt.date
    position: str | None
    status: str = EmployeeStatus.ACTIVE
    end_date: dt.date | None = None
    end_reason: str = ""
    actions: list[ActionSpec] = field(default_factory=list)
    training: list[TrainingSpec] = field(default_factory=list)
    scholarships: list[ScholarshipSpec] = field(default_factory=list)
    qualifications: list[QualificationSpec] = field(default_factory=list)
    evaluations: list[EvaluationSpec] = field(default_factory=list)


TRAINING_PROGRAMMES = (
    (
        "نظام الخدمة المدنية ولوائحه التنفيذية",
        "The civil service law and its regulations",
        "معهد الإدارة العامة",
    ),
    ("إدارة المشاريع الاحترافية", "Professional project management", "معهد الإدارة العامة"),
    ("مهارات القيادة الإدارية", "Administrative leadership skills", "معهد الإدارة العامة"),
    (
        "التحول الرقمي في القطاع الحكومي",
        "Digital transformation in government",
        "الأكاديمية السعودية الرقمية",
    ),
    ("أساسيات الأمن السيبراني", "Cybersecurity fundamentals", "الأكاديمية الوطنية للأمن السيبراني"),
    (
        "إعداد الميزانيات الحكومية ومتابعتها",
        "Preparing and monitoring government budgets",
        "معهد الإدارة العامة",
    ),
    ("مهارات التواصل الفعال", "Effective communication skills", "منصة دروب"),
    ("تحليل البيانات ولوحات المعلومات", "Data analysis and dashboards", "أكاديمية طويق"),
    ("اللغة الإنجليزية للأعمال", "Business English", "معهد الإدارة العامة"),
    ("إدارة الجودة الشاملة", "Total quality management", "معهد الإدارة العامة"),
    (
        "التخطيط الاستراتيجي وقياس الأداء",
        "Strategic planning and performance measurement",
        "مركز أداء",
    ),
    ("إدارة الموارد البشرية الحديثة", "Modern human resources management", "معهد الإدارة العامة"),
)
SCHOLARSHIP_PLACES = (
    ("جامعة مانشستر", "المملكة المتحدة"),
    ("جامعة ملبورن", "أستراليا"),
    ("جامعة ولاية أريزونا", "الولايات المتحدة الأمريكية"),
    ("جامعة الملك سعود", "المملكة العربية السعودية"),
    ("جامعة تورنتو", "كندا"),
)
MAJORS = {
    "admin": ("إدارة الأعمال", "الإدارة العامة"),
    "leadership": ("الإدارة العامة", "إدارة الأعمال", "السياسات العامة"),
    "hr": ("إدارة الموارد البشرية", "الإدارة العامة"),
    "finance": ("المحاسبة", "المالية"),
    "it": ("علوم الحاسب", "نظم المعلومات", "هندسة البرمجيات"),
    "legal": ("القانون", "الأنظمة"),
}
DIPLOMA_MAJORS = {"it": "دبلوم الحاسب الآلي", "finance": "دبلوم المحاسبة"}
UNIVERSITIES = (
    "جامعة الملك سعود",
    "جامعة الملك عبدالعزيز",
    "جامعة الإمام محمد بن سعود الإسلامية",
    "جامعة الملك فهد للبترول والمعادن",
    "جامعة أم القرى",
    "جامعة القصيم",
    "جامعة الملك خالد",
    "جامعة الأميرة نورة",
)
RESIDENT_UNIVERSITIES = (
    "جامعة القاهرة",
    "جامعة عين شمس",
    "الجامعة الأردنية",
    "جامعة الخرطوم",
    "جامعة دمشق",
)
COLLEGES = ("الكلية التقنية بالرياض", "معهد الإدارة العامة", "الكلية التقنية بجدة")
SCHOOLS = (
    "الثانوية الأولى بالرياض",
    "ثانوية الملك عبدالعزيز بجدة",
    "الثانوية الثالثة بالدمام",
    "ثانوية اليرموك بأبها",
)
PENALTIES = ("لفت نظر", "إنذار", "حسم يوم من الراتب", "حسم ثلاثة أيام من الراتب")
ENTRY_RANK = {Q.NONE: 1, Q.SECONDARY: 3, Q.DIPLOMA: 4, Q.BACHELOR: 6, Q.MASTER: 7, Q.DOCTORATE: 8}
MAX_RANK = {Q.NONE: 4, Q.SECONDARY: 8, Q.DIPLOMA: 9, Q.BACHELOR: 11, Q.MASTER: 12, Q.DOCTORATE: 13}


def add_years(value: dt.date, years: int) -> dt.date:
    try:
        return value.replace(year=value.year + years)
    except ValueError:  # 29 February
        return value.replace(year=value.year + years, day=28)


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def rating_for(score: float) -> str:
    if score >= 90:
        return Rating.EXCELLENT
    if score >= 80:
        return Rating.VERY_GOOD
    if score >= 70:
        return Rating.GOOD
    if score >= 60:
        return Rating.SATISFACTORY
    return Rating.UNSATISFACTORY


class PositionSource:
    """Where a career's positions come from (see `DemoPositions` and seed_scale's source)."""

    def take(self, rank: int, kind: str, *, final: bool, occupy: bool) -> str | None:
        raise NotImplementedError


@dataclass
class Extras:
    """What a career holds beside appointment, increments and promotions (counts)."""

    trainings: int = 0
    ordinary_leaves: int = 0
    sick_leaves: int = 0
    maternity_leaves: int = 0
    exceptional_leaves: int = 0
    missions: int = 0
    assignments: int = 0
    penalties: int = 0
    transfers: int = 0
    scholarship: bool = False
    planned_training: bool = False

    @classmethod
    def random(cls, rng: random.Random, gender: str, years: float) -> Extras:
        scale = max(years, 1) / 10
        return cls(
            trainings=min(4, int(rng.random() * 3 * scale + rng.random() * 1.5)),
            ordinary_leaves=min(3, int(rng.random() * 2.5 * scale + rng.random())),
            sick_leaves=int(rng.random() < 0.25),
            maternity_leaves=int(gender == Gender.FEMALE and years > 2 and rng.random() < 0.3),
            exceptional_leaves=int(rng.random() < 0.04),
            missions=int(rng.random() < 0.15),
            assignments=int(rng.random() < 0.1),
            penalties=int(rng.random() < 0.06),
            transfers=int(years > 3 and rng.random() < 0.25),
            scholarship=years > 4 and rng.random() < 0.04,
            planned_training=rng.random() < 0.08,
        )


def generate_career(
    rng: random.Random,
    *,
    hire_date: dt.date,
    entry_rank: int,
    max_rank: int,
    kind: str,
    positions: PositionSource,
    reference: dt.date = REFERENCE_DATE,
    promotions: list[dt.date] | None = None,
    end: tuple[dt.date, str] | None = None,
    extras: Extras | None = None,
    gender: str = Gender.MALE,
    evaluation_years: tuple[int, ...] = EVALUATION_YEARS,
    fixed_scores: dict[int, float] | None = None,
) -> Career:
    """One employee's record up to `reference` (or the end of service).

    Appointment at `entry_rank` step 1, probation confirmed after a year, one increment on each
    1 Muharram after that (none past step 15), promotions to the next rank only (given dates,
    or at least four years in rank and random waits up to `max_rank`), transfers, and the
    extras; then decision numbers and decision dates. The current rank, step, rank_since and
    position are those left by the last action.
    """
    stop = min(end[0], reference) if end else reference
    years = (stop - hire_date).days / 365.25
    if extras is None:
        extras = Extras.random(rng, gender, years)

    if promotions is None:
        promotions = []
        since, rank = hire_date, entry_rank
        while rank < max_rank:
            wait = MIN_YEARS_IN_RANK + rng.choice((0, 0, 0, 1, 1, 2, 3, 5))
            when = add_years(since, wait) + dt.timedelta(days=rng.randint(0, 200))
            if when >= stop:
                break
            promotions.append(when)
            since, rank = when, rank + 1
    transfers = sorted(
        _random_date(rng, add_years(hire_date, 2), stop) for _ in range(extras.transfers)
    )

    # The state-changing events in order; ties keep promotions before increments.
    events: list[tuple[dt.date, int, str]] = [(hire_date, 0, ActionType.APPOINTMENT)]
    confirmation = add_years(hire_date, 1)
    if confirmation <= stop:
        events.append((confirmation, 1, ActionType.PROBATION_CONFIRMATION))
    year = hijri_year_of(confirmation)
    while True:
        year += 1
        new_year = hijri_new_year(year)
        if new_year > stop:
            break
        events.append((new_year, 3, ActionType.ANNUAL_INCREMENT))
    events += [(when, 2, ActionType.PROMOTION) for when in promotions]
    events += [(when, 4, ActionType.TRANSFER) for when in transfers]
    events.sort(key=lambda event: (event[0], event[1]))

    moves = [i for i, event in enumerate(events) if event[2] in _POSITION_CHANGES]
    last_move = moves[-1]
    rank, step, since, position = entry_rank, 1, hire_date, None
    actions: list[ActionSpec] = []
    for index, (when, _order, action_type) in enumerate(events):
        final = index == last_move
        if action_type == ActionType.APPOINTMENT:
            position = positions.take(rank, kind, final=final, occupy=end is None)
            actions.append(
                ActionSpec(action_type, when, to_position=position, to_rank=rank, to_step=1)
            )
        elif action_type == ActionType.PROBATION_CONFIRMATION:
            actions.append(ActionSpec(action_type, when, to_rank=rank, to_step=step))
        elif action_type == ActionType.ANNUAL_INCREMENT:
            if step < 15:
                actions.append(
                    ActionSpec(
                        action_type,
                        when,
                        from_rank=rank,
                        to_rank=rank,
                        from_step=step,
                        to_step=step + 1,
                        notes=f"علاوة سنوية {hijri_year_of(when)}هـ",
                    )
                )
                step += 1
        elif action_type == ActionType.PROMOTION:
            new_step = promotion_step(rank, step, rank + 1)
            new_position = positions.take(rank + 1, kind, final=final, occupy=end is None)
            actions.append(
                ActionSpec(
                    action_type,
                    when,
                    from_position=position,
                    to_position=new_position,
                    from_rank=rank,
                    to_rank=rank + 1,
                    from_step=step,
                    to_step=new_step,
                )
            )
            rank, step, since, position = rank + 1, new_step, when, new_position
        else:  # transfer to another position of the same rank
            new_position = positions.take(rank, kind, final=final, occupy=end is None)
            actions.append(
                ActionSpec(
                    action_type,
                    when,
                    from_position=position,
                    to_position=new_position,
                    from_rank=rank,
                    to_rank=rank,
                    from_step=step,
                    to_step=step,
                )
            )
            position = new_position

    career = Career(hire_date=hire_date, rank=rank, step=step, rank_since=since, position=position)
    window_start = hire_date + dt.timedelta(days=180)
    _add_extras(rng, career, extras, window_start, stop, reference)
    if end is not None:
        career.status, career.end_date, career.end_reason = EmployeeStatus.ENDED, end[0], end[1]
        actions.append(
            ActionSpec(
                _END_ACTIONS[end[1]], end[0], from_position=position, from_rank=rank, from_step=step
            )
        )
    career.actions = sorted(actions + career.actions, key=lambda action: action.effective_date)
    _number_decisions(rng, career, reference)
    career.evaluations = _evaluations(rng, hire_date, stop, evaluation_years, fixed_scores)
    return career


_POSITION_CHANGES = {ActionType.APPOINTMENT, ActionType.PROMOTION, ActionType.TRANSFER}
_END_ACTIONS = {
    EndReason.RETIREMENT: ActionType.RETIREMENT,
    EndReason.EARLY_RETIREMENT: ActionType.EARLY_RETIREMENT,
    EndReason.RESIGNATION: ActionType.RESIGNATION,
    EndReason.DISMISSAL: ActionType.DISMISSAL,
    EndReason.DEATH: ActionType.DEATH,
    EndReason.MEDICAL_UNFITNESS: ActionType.MEDICAL_UNFITNESS,
}


def _add_extras(
    rng, career: Career, extras: Extras, start: dt.date, stop: dt.date, reference: dt.date
) -> None:
    """Training, leave, missions, penalties and a scholarship; `career.actions` collects the
    extra actions (merged with the main ones by the caller)."""
    added: list[ActionSpec] = []
    for programme in rng.sample(TRAINING_PROGRAMMES, extras.trainings):
        begin = _random_date(rng, start, stop - dt.timedelta(days=10))
        days = rng.choice((3, 5, 5, 10, 14))
        action = ActionSpec(ActionType.TRAINING, begin, notes=programme[0])
        career.training.append(
            TrainingSpec(
                programme[0],
                programme[1],
                programme[2],
                "",
                begin,
                begin,
                begin + dt.timedelta(days=days - 1),
                days * 6,
                DecisionStatus.COMPLETED
                if begin + dt.timedelta(days=days) <= reference
                else DecisionStatus.IN_PROGRESS,
                action,
            )
        )
        added.append(action)
    if extras.planned_training and stop == reference:
        programme = rng.choice(TRAINING_PROGRAMMES)
        begin = reference + dt.timedelta(days=rng.randint(20, 90))
        career.training.append(
            TrainingSpec(
                programme[0],
                programme[1],
                programme[2],
                "",
                reference - dt.timedelta(days=10),
                begin,
                begin + dt.timedelta(days=4),
                30,
                DecisionStatus.PLANNED,
            )
        )
    for action_type, count, durations in (
        (ActionType.LEAVE_ORDINARY, extras.ordinary_leaves, (10, 15, 20, 30, 36)),
        (ActionType.LEAVE_SICK, extras.sick_leaves, (3, 5, 7, 14)),
        (ActionType.LEAVE_MATERNITY, extras.maternity_leaves, (70,)),
        (ActionType.LEAVE_EXCEPTIONAL, extras.exceptional_leaves, (30, 60, 90)),
    ):
        for _ in range(count):
            days = rng.choice(durations)
            added.append(
                ActionSpec(action_type, _random_date(rng, start, stop), notes=f"المدة {days} يوماً")
            )
    for _ in range(extras.missions):
        added.append(
            ActionSpec(
                ActionType.OFFICIAL_MISSION,
                _random_date(rng, start, stop),
                notes=f"انتداب لمدة {rng.choice((3, 5, 7))} أيام",
            )
        )
    for _ in range(extras.assignments):
        added.append(
            ActionSpec(
                ActionType.ASSIGNMENT,
                _random_date(rng, start, stop),
                notes="تكليف بمهام إضافية لمدة ستة أشهر",
            )
        )
    for _ in range(extras.penalties):
        added.append(
            ActionSpec(
                ActionType.DISCIPLINARY_PENALTY,
                _random_date(rng, start, stop),
                notes=rng.choice(PENALTIES),
            )
        )
    if extras.scholarship:
        begin = _random_date(rng, start + dt.timedelta(days=365), stop)
        finish = add_years(begin, 2) - dt.timedelta(days=1)
        institution, country = rng.choice(SCHOLARSHIP_PLACES)
        action = ActionSpec(
            ActionType.SCHOLARSHIP, begin, notes=f"ابتعاث لدراسة الماجستير في {institution}"
        )
        career.scholarships.append(
            ScholarshipSpec(
                Q.MASTER,
                rng.choice(("الإدارة العامة", "تحليل البيانات", "السياسات العامة")),
                institution,
                country,
                "",
                begin,
                begin,
                finish,
                DecisionStatus.COMPLETED if finish < reference else DecisionStatus.IN_PROGRESS,
                action,
            )
        )
        added.append(action)
    career.actions = added


# Days between the decision and its effective date, by action type (default 1-14).
_DECISION_LEAD = {
    ActionType.APPOINTMENT: (7, 40),
    ActionType.ANNUAL_INCREMENT: (0, 0),
    ActionType.PROMOTION: (3, 25),
    ActionType.SCHOLARSHIP: (30, 90),
}


def _number_decisions(rng: random.Random, career: Career, reference: dt.date) -> None:
    """Decision numbers (unique within the record) and decision dates on or before the
    effective date; training and scholarship decisions share their action's number."""
    used: set[str] = set()

    def number(decided: dt.date) -> str:
        while True:
            if rng.random() < 0.7:
                value = f"{hijri_year_of(decided)}/{rng.randint(10, 9999)}"
            else:
                value = f"{rng.randint(100000, 999999)}"
            if value not in used:
                used.add(value)
                return value

    for action in career.actions:
        low, high = _DECISION_LEAD.get(action.action_type, (1, 14))
        lead = rng.randint(low, high) if high else 0
        action.decision_date = min(action.effective_date - dt.timedelta(days=lead), reference)
        action.decision_number = number(action.decision_date)
    for decision in [*career.training, *career.scholarships]:
        if decision.action is not None:
            decision.decision_number = decision.action.decision_number
            decision.decision_date = decision.action.decision_date
        else:  # planned training: no record action until it starts
            decision.decision_number = number(decision.decision_date)


def _evaluations(rng, hire_date, stop, years, fixed_scores) -> list[EvaluationSpec]:
    evaluations = []
    for year in years:
        begins, ends = hijri_new_year(year), hijri_new_year(year + 1)
        if hire_date >= begins or stop < ends:  # a full year in service
            continue
        if fixed_scores and year in fixed_scores:
            score = fixed_scores[year]
        elif rng.random() < 0.04:  # a few unsatisfactory years (grievances have a category)
            score = rng.uniform(45, 59.9)
        else:
            score = min(100.0, max(60.0, rng.gauss(85, 7)))
        value = Decimal(f"{score:.2f}")
        evaluations.append(EvaluationSpec(year, value, rating_for(float(value))))
    return evaluations


def qualifications_for(
    rng: random.Random, highest: str, kind: str, hire_date: dt.date, *, resident: bool = False
) -> list[QualificationSpec]:
    """The highest qualification (graduated before hire) and the ones it builds on."""
    if highest == Q.NONE:
        return []
    graduated = hire_date - dt.timedelta(days=rng.randint(60, 500))
    universities = RESIDENT_UNIVERSITIES if resident else UNIVERSITIES
    major = rng.choice(MAJORS[kind])
    found: list[QualificationSpec] = []
    level = highest
    while True:
        if level == Q.SECONDARY:
            found.append(
                QualificationSpec(
                    level, rng.choice(("العلمي", "الأدبي")), rng.choice(SCHOOLS), graduated
                )
            )
            break
        if level == Q.DIPLOMA:
            found.append(
                QualificationSpec(
                    level,
                    DIPLOMA_MAJORS.get(kind, "دبلوم السكرتارية"),
                    rng.choice(COLLEGES),
                    graduated,
                )
            )
            level, graduated = Q.SECONDARY, add_years(graduated, -2)
        elif level == Q.BACHELOR:
            found.append(QualificationSpec(level, major, rng.choice(universities), graduated))
            break  # the record keeps degrees from the bachelor's up
        elif level == Q.MASTER:
            found.append(QualificationSpec(level, major, rng.choice(universities), graduated))
            level, graduated = Q.BACHELOR, add_years(graduated, -rng.choice((2, 3, 4)))
        else:
            found.append(QualificationSpec(level, major, rng.choice(universities), graduated))
            level, graduated = Q.MASTER, add_years(graduated, -rng.choice((3, 4, 5)))
    return found


def add_scholarship_degrees(career: Career) -> None:
    """A completed scholarship adds its degree, unless the record already holds that level."""
    held = {qualification.level for qualification in career.qualifications}
    for scholarship in career.scholarships:
        if scholarship.status == DecisionStatus.COMPLETED and scholarship.degree not in held:
            held.add(scholarship.degree)
            career.qualifications.insert(
                0,
                QualificationSpec(
                    scholarship.degree,
                    scholarship.field_of_study,
                    scholarship.institution,
                    scholarship.end_date,
                ),
            )


# --- The demo -------------------------------------------------------------------------------


@dataclass
class PositionSpec:
    number: str
    entity_code: str
    unit_code: str
    class_code: str
    rank: int
    status: str


class DemoPositions(PositionSource):
    """An entity's positions, created as careers ask for them, then topped up with vacancies."""

    def __init__(self, rng: random.Random, entity: EntitySpec):
        self.rng, self.entity = rng, entity
        self.positions: dict[str, PositionSpec] = {}
        self._next = 1

    def new(self, rank: int, kind: str, status: str) -> str:
        job = self.rng.choice(classes_for(rank, kind))
        unit = self.rng.choice(units_for(self.entity, job.kind))
        number = f"{self.entity.position_prefix}{self._next:04d}"
        self._next += self.rng.randint(1, 6)
        self.positions[number] = PositionSpec(
            number, self.entity.code, unit.code, job.code, rank, status
        )
        return number

    def take(self, rank: int, kind: str, *, final: bool, occupy: bool) -> str | None:
        if final:  # the position the employee holds now (or held last): always a new one
            return self.new(
                rank, kind, PositionStatus.OCCUPIED if occupy else PositionStatus.VACANT
            )
        at_rank = [p for p in self.positions.values() if p.rank == rank]
        of_kind = [p for p in at_rank if JOB_CLASSES_BY_CODE[p.class_code].kind == kind]
        candidates = of_kind or at_rank
        if candidates:
            return self.rng.choice(candidates).number
        return self.new(rank, kind, PositionStatus.VACANT)

    def count(self, *, rank=None, kind=None, status=None) -> int:
        return sum(
            1
            for p in self.positions.values()
            if (rank is None or p.rank == rank)
            and (status is None or p.status == status)
            and (kind is None or JOB_CLASSES_BY_CODE[p.class_code].kind == kind)
        )

    def top_up(self, target: int, *, must_have: tuple[tuple[int, str, int], ...] = ()) -> None:
        """Vacancies for promotion rounds (two of each rank 2-10, plus `must_have`: (rank,
        kind, count)), a few frozen positions, then vacancies up to `target` positions."""
        for rank, kind, wanted in must_have:
            while self.count(rank=rank, kind=kind, status=PositionStatus.VACANT) < wanted:
                self.new(rank, kind, PositionStatus.VACANT)
        for rank in range(2, 11):
            while self.count(rank=rank, status=PositionStatus.VACANT) < 2:
                self.new(rank, self.rng.choice(KINDS), PositionStatus.VACANT)
        for _ in range(4):
            self.new(
                self.rng.choice((4, 5, 6, 7, 8)), self.rng.choice(KINDS), PositionStatus.FROZEN
            )
        while len(self.positions) < target:
            status = PositionStatus.FROZEN if self.rng.random() < 0.15 else PositionStatus.VACANT
            self.new(
                self.rng.choice((3, 4, 5, 6, 6, 7, 7, 8, 8, 9, 10, 11)),
                self.rng.choice(KINDS),
                status,
            )


@dataclass
class EmployeeSpec:
    person: Person
    entity_code: str
    kind: str
    career: Career
    persona: str = ""  # a short label for personas
    account: dict | None = None  # User fields for personas with a portal account
    grants: bool = False


@dataclass
class DemoData:
    positions: list[PositionSpec]
    employees: list[EmployeeSpec]


@dataclass(frozen=True)
class PersonaSpec:
    label: str
    national_id: str
    names: tuple[tuple[str, str], ...]
    gender: str
    nationality: str
    date_of_birth: dt.date
    kind: str
    qualification: str
    hire_date: dt.date
    entry_rank: int
    promotions: tuple[dt.date, ...]
    extras: Extras
    mobile: str = ""
    end: tuple[dt.date, str] | None = None
    scores: tuple[tuple[int, float], ...] = ()


PERSONAS: tuple[PersonaSpec, ...] = (
    PersonaSpec(
        "employee, rank 8, five years in rank",
        "1012345672",
        (
            ("محمد", "Mohammed"),
            ("عبدالله", "Abdullah"),
            ("سعد", "Saad"),
            ("القحطاني", "Al-Qahtani"),
        ),
        Gender.MALE,
        "SA",
        dt.date(1990, 3, 15),
        "hr",
        Q.MASTER,
        dt.date(2017, 9, 3),
        7,
        (dt.date(2021, 11, 7),),
        Extras(trainings=2, ordinary_leaves=2, planned_training=True),
        "+966500000001",
        scores=((1444, 91.5), (1445, 88.75), (1446, 93.0), (1447, 95.25)),
    ),
    PersonaSpec(
        "employee without a portal account",
        "1023456781",
        (("نورة", "Noura"), ("فهد", "Fahad"), ("ناصر", "Nasser"), ("العتيبي", "Al-Otaibi")),
        Gender.FEMALE,
        "SA",
        dt.date(1992, 7, 1),
        "finance",
        Q.BACHELOR,
        dt.date(2015, 2, 8),
        6,
        (dt.date(2019, 12, 15),),
        Extras(trainings=1, ordinary_leaves=2, maternity_leaves=1),
        "+966500000002",  # the civil registry's number for her: registration codes go there
        scores=((1444, 84.0), (1445, 87.5), (1446, 90.5), (1447, 89.0)),
    ),
    PersonaSpec(
        "resident (non-Saudi) employee",
        "2100000005",
        (
            ("أحمد", "Ahmed"),
            ("محمود", "Mahmoud"),
            ("عبدالفتاح", "Abdelfattah"),
            ("السيد", "El-Sayed"),
        ),
        Gender.MALE,
        "EG",
        dt.date(1988, 11, 20),
        "it",
        Q.BACHELOR,
        dt.date(2014, 3, 2),
        7,
        (dt.date(2019, 4, 14),),
        Extras(trainings=1, ordinary_leaves=2),
        "+966500000003",
    ),
    PersonaSpec(
        "HR specialist of the first entity",
        "1034567899",
        (("سارة", "Sarah"), ("خالد", "Khalid"), ("إبراهيم", "Ibrahim"), ("الدوسري", "Al-Dosari")),
        Gender.FEMALE,
        "SA",
        dt.date(1985, 1, 10),
        "hr",
        Q.MASTER,
        dt.date(2009, 1, 4),
        7,
        (dt.date(2013, 3, 10), dt.date(2018, 5, 20)),
        Extras(trainings=3, ordinary_leaves=3, maternity_leaves=1),
        "+966500000004",
        scores=((1444, 92.0), (1445, 94.5), (1446, 90.0), (1447, 93.75)),
    ),
    PersonaSpec(
        "ministry staff",
        "1045678909",
        (
            ("عبدالرحمن", "Abdulrahman"),
            ("سليمان", "Sulaiman"),
            ("حمد", "Hamad"),
            ("الشهري", "Al-Shehri"),
        ),
        Gender.MALE,
        "SA",
        dt.date(1980, 5, 5),
        "admin",
        Q.BACHELOR,
        dt.date(2003, 9, 14),
        6,
        (
            dt.date(2007, 10, 1),
            dt.date(2012, 1, 15),
            dt.date(2016, 4, 3),
            dt.date(2020, 6, 21),
            dt.date(2024, 9, 8),
        ),
        Extras(trainings=2, ordinary_leaves=3, missions=1),
        "+966500000005",
    ),
    PersonaSpec(
        "retired employee",
        "1056789017",
        (
            ("سعد", "Saad"),
            ("عبدالعزيز", "Abdulaziz"),
            ("محمد", "Mohammed"),
            ("الغامدي", "Al-Ghamdi"),
        ),
        Gender.MALE,
        "SA",
        dt.date(1962, 2, 2),
        "admin",
        Q.BACHELOR,
        dt.date(1986, 1, 12),
        6,
        (
            dt.date(1990, 3, 4),
            dt.date(1995, 2, 19),
            dt.date(2000, 6, 11),
            dt.date(2006, 1, 8),
            dt.date(2012, 10, 14),
        ),
        Extras(trainings=2, ordinary_leaves=3),
        "+966500000006",
        end=(dt.date(2024, 6, 30), EndReason.RETIREMENT),
    ),
)
PERSONA_IDS = tuple(persona.national_id for persona in PERSONAS)
# The civil registry's data (employment_records.civil_registry): every demo ID is valid until
# this date; personas' registry mobiles are their own, everyone else's is made from the ID.
ID_EXPIRY = dt.date(2031, 12, 31)
_PERSONA_MOBILES = {persona.national_id: persona.mobile for persona in PERSONAS}


def registry_mobile_for(national_id: str) -> str:
    return _PERSONA_MOBILES.get(national_id) or f"+96659{national_id[-7:]}"


def leave_balance_for(national_id: str) -> int:
    """Annual leave days left, as an entity's leave system would report them (6 to 41)."""
    return 6 + int(national_id[-3:]) % 36


NO_ACCOUNT_ID = "1023456781"
EMPLOYEE_ID, RESIDENT_ID, HR_ID, MINISTRY_ID, RETIRED_ID = (
    "1012345672",
    "2100000005",
    "1034567899",
    "1045678909",
    "1056789017",
)
FIRST_ENTITY = ENTITIES[0].code


def email_for(person: Person, entity_code: str) -> str:
    local = f"{person.first[1]}.{person.family[1].removeprefix('Al-').removeprefix('El-')}"
    return f"{local.lower().replace('-', '')}@{entity_code.lower()}.example"


def _persona_employee(rng: random.Random, spec: PersonaSpec, positions: DemoPositions):
    first, father, grandfather, family = spec.names
    person = Person(
        spec.national_id,
        first,
        father,
        grandfather,
        family,
        spec.gender,
        spec.nationality,
        spec.date_of_birth,
    )
    career = generate_career(
        rng,
        hire_date=spec.hire_date,
        entry_rank=spec.entry_rank,
        max_rank=15,
        kind=spec.kind,
        positions=positions,
        promotions=list(spec.promotions),
        end=spec.end,
        extras=spec.extras,
        gender=spec.gender,
        fixed_scores=dict(spec.scores),
    )
    career.qualifications = qualifications_for(
        rng, spec.qualification, spec.kind, spec.hire_date, resident=spec.nationality != "SA"
    )
    add_scholarship_degrees(career)
    account = None
    if spec.national_id != NO_ACCOUNT_ID:
        account = {
            "mobile": spec.mobile,
            "email": email_for(person, FIRST_ENTITY),
            "first_name": first[0],
            "last_name": family[0],
        }
    return EmployeeSpec(
        person, FIRST_ENTITY, spec.kind, career, persona=spec.label, account=account, grants=True
    )


def random_employee(
    rng: random.Random,
    entity_code: str,
    positions: PositionSource,
    *,
    national_id: str = "",
    taken: set[str] | None = None,
    resident: bool = False,
    end_reason: str = "",
    leader_max_rank: int = 0,
    reference: dt.date = REFERENCE_DATE,
    min_years: float = 0.5,
    max_years: float = 30.0,
    evaluation_years: tuple[int, ...] = EVALUATION_YEARS,
) -> EmployeeSpec:
    """A random employee with a career in `entity_code`: `national_id`, or a random one not
    in `taken`. A leader (`leader_max_rank`) is appointed at rank 10-12 and promoted up to
    that rank."""
    gender = Gender.FEMALE if rng.random() < 0.35 else Gender.MALE
    names = pick_names(rng, gender, resident=resident)
    if leader_max_rank:
        qualification, kind = rng.choice((Q.BACHELOR, Q.MASTER, Q.DOCTORATE)), "leadership"
        entry_rank, max_rank = rng.randint(10, 12), leader_max_rank
        min_years = max(min_years, 8.0, 4.5 * (max_rank - entry_rank))
    else:
        qualification = rng.choices(
            (Q.NONE, Q.SECONDARY, Q.DIPLOMA, Q.BACHELOR, Q.MASTER, Q.DOCTORATE),
            weights=(3, 17, 12, 52, 13, 3),
        )[0]
        kind = (
            "admin"
            if qualification in (Q.NONE, Q.SECONDARY) and rng.random() < 0.7
            else rng.choice(KINDS)
        )
        entry_rank, max_rank = ENTRY_RANK[qualification], MAX_RANK[qualification]
    hire_age = {
        Q.NONE: 19,
        Q.SECONDARY: 19,
        Q.DIPLOMA: 21,
        Q.BACHELOR: 23,
        Q.MASTER: 26,
        Q.DOCTORATE: 30,
    }[qualification] + rng.randint(0, 5)
    end = None
    if end_reason:
        min_years = max(min_years, 3.0)
    if end_reason == EndReason.RETIREMENT:
        dob = add_years(reference, -rng.randint(61, 63)) - dt.timedelta(days=rng.randint(0, 300))
        end_date = add_years(dob, 60) + dt.timedelta(days=rng.randint(0, 60))
        hire_date = add_years(dob, hire_age) + dt.timedelta(days=rng.randint(0, 300))
        end = (end_date, end_reason)
    else:
        max_years = min(max_years, 59 - hire_age)
        years = (
            rng.uniform(min_years, max_years)
            if rng.random() < 0.6
            else rng.uniform(min_years, min(max_years, 12.0))
        )
        hire_date = reference - dt.timedelta(days=int(years * 365.25))
        dob = add_years(hire_date, -hire_age) - dt.timedelta(days=rng.randint(0, 330))
        if end_reason:
            end = (
                _random_date(
                    rng, hire_date + dt.timedelta(days=400), reference - dt.timedelta(days=30)
                ),
                end_reason,
            )
    if not national_id:
        national_id = random_national_id(
            rng, "2" if resident else "1", taken if taken is not None else set()
        )
    nationality = rng.choice(RESIDENT_NATIONALITIES) if resident else "SA"
    person = Person(national_id, *names, gender, nationality, dob)
    career = generate_career(
        rng,
        hire_date=hire_date,
        entry_rank=entry_rank,
        max_rank=max_rank,
        kind=kind,
        positions=positions,
        reference=reference,
        end=end,
        gender=gender,
        evaluation_years=evaluation_years,
    )
    career.qualifications = qualifications_for(
        rng, qualification, kind, hire_date, resident=resident
    )
    add_scholarship_degrees(career)
    in_service = career.status == EmployeeStatus.ACTIVE
    return EmployeeSpec(person, entity_code, kind, career, grants=in_service and not resident)


def build_demo(seed: int = SEED) -> DemoData:
    """The whole demo data set: personas first, then 114 random employees over the three
    entities (nine residents, four whose service ended, two leaders per entity), then
    vacancies and frozen positions up to about 200 positions, then three retirees of the
    first entity for Bayan."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not a secret
    pools = {entity.code: DemoPositions(rng, entity) for entity in ENTITIES}
    taken: set[str] = set(PERSONA_IDS)
    employees = [_persona_employee(rng, spec, pools[FIRST_ENTITY]) for spec in PERSONAS]
    codes = [entity.code for entity in ENTITIES]
    ended = {
        7: EndReason.RETIREMENT,
        31: EndReason.RESIGNATION,
        58: EndReason.EARLY_RETIREMENT,
        90: EndReason.DEATH,
    }
    leaders = {0: 15, 1: 14, 2: 14, 3: 13, 4: 12, 5: 13}  # index -> the rank they may reach
    for index in range(EMPLOYEE_COUNT - len(PERSONAS) - len(BAYAN_RETIREE_REASONS)):
        code = codes[index % len(codes)]
        employees.append(
            random_employee(
                rng,
                code,
                pools[code],
                taken=taken,
                resident=index % 12 == 9,
                end_reason=ended.get(index, ""),
                leader_max_rank=leaders.get(index, 0),
            )
        )
    pools[FIRST_ENTITY].top_up(
        POSITION_TARGET - 2 * (POSITION_TARGET // len(ENTITIES)),
        must_have=((9, "hr", 3), (9, "finance", 1)),
    )
    for code in codes[1:]:
        pools[code].top_up(POSITION_TARGET // len(ENTITIES))
    # Bayan: three more people of the first entity whose service ended, so its HR console has
    # end-of-service statements to prepare, to approve and to fix. They draw from a random
    # stream of their own, so every other employee, position and number stays as it was.
    pool = pools[FIRST_ENTITY]
    main_stream, pool.rng = pool.rng, random.Random(seed + 11)  # noqa: S311 - demo data
    for reason in BAYAN_RETIREE_REASONS:
        employees.append(
            random_employee(pool.rng, FIRST_ENTITY, pool, taken=taken, end_reason=reason)
        )
    pool.rng = main_stream
    positions = [spec for pool in pools.values() for spec in pool.positions.values()]
    return DemoData(positions=positions, employees=employees)


# --- The CV of persona 1012345672: a few own entries in both languages ------------------------
CV_PERSONA_ID = "1012345672"
# section -> language -> list of field values, in their order on the CV.
CV_ENTRIES: dict[str, dict[str, list[dict]]] = {
    "summary": {
        "ar": [{"text": "أخصائي موارد بشرية بخبرة في تخطيط القوى العاملة وتحليل البيانات."}],
        "en": [{"text": "Human resources specialist experienced in workforce planning and data."}],
    },
    "skills": {
        "ar": [{"name": "تخطيط القوى العاملة"}, {"name": "تحليل البيانات"}],
        "en": [{"name": "Workforce planning"}, {"name": "Data analysis"}],
    },
    "languages": {
        "ar": [{"name": "العربية", "level": "native"}, {"name": "الإنجليزية", "level": "B2"}],
        "en": [{"name": "Arabic", "level": "native"}, {"name": "English", "level": "B2"}],
    },
    "volunteering": {
        "ar": [
            {
                "organisation": "الهلال الأحمر السعودي",
                "role": "مسعف متطوع",
                "start_date": dt.date(2019, 3, 1),
                "end_date": dt.date(2021, 3, 1),
                "hours": 120,
            }
        ],
        "en": [
            {
                "organisation": "Saudi Red Crescent",
                "role": "Volunteer first aider",
                "start_date": dt.date(2019, 3, 1),
                "end_date": dt.date(2021, 3, 1),
                "hours": 120,
            }
        ],
    },
    "links": {
        "en": [{"label": "LinkedIn", "url": "https://www.linkedin.com/in/example"}],
    },
}
