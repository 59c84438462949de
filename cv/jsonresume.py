"""The CV as JSON Resume (https://jsonresume.org/schema, v1.0.0): a portable file the person
can take to any other CV tool. The mapping is documented in the README ("CV")."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext as _

SCHEMA_URL = "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"


def _clean(data):
    """Drop empty values: the schema types every field, and "" or null say nothing."""
    if isinstance(data, dict):
        return {key: _clean(value) for key, value in data.items() if value not in ("", None, [])}
    if isinstance(data, list):
        return [_clean(item) for item in data]
    return data


def to_json_resume(content: dict) -> dict:
    """One language's CV (cv.selectors.cv_content) as a resume.json document."""
    language = content["language"]
    person, official, own = content["person"], content["official"], content["sections"]
    with translation.override(language):
        summary = own["summary"][0]["text"] if own["summary"] else ""
        work = [
            {
                "name": item["entity"],
                "position": item["title"],
                "startDate": item["start"],
                "endDate": item["end"],
                "summary": _("%(unit)s; class %(code)s, rank %(rank)s")
                % {"unit": item["unit"], "code": item["class_code"], "rank": item["rank"]},
                "highlights": [
                    _("From the official record: %(action)s, decision %(number)s of %(date)s")
                    % {
                        "action": item["source"]["action"],
                        "number": item["source"]["decision_number"],
                        "date": item["source"]["decision_date"],
                    }
                ],
            }
            for item in official["positions"]
        ]
        education = [
            {
                "institution": item["institution"],
                "area": item["major"],
                "studyType": item["level_label"],
                "endDate": item["graduation_date"],
            }
            for item in official["qualifications"]
        ] + [
            {
                "institution": f"{item['institution']} ({item['country']})",
                "area": item["field_of_study"],
                "studyType": item["degree_label"],
                "startDate": item["start"],
                "endDate": item["end"],
            }
            for item in official["scholarships"]
        ]
        certificates = [
            {"name": item["name"], "issuer": item["issuer"], "date": item["issued_on"]}
            for item in own["certificates"]
        ] + [
            {"name": item["title"], "issuer": item["provider"], "date": item["end"]}
            for item in official["training"]
        ]
        resume = {
            "$schema": SCHEMA_URL,
            "basics": {
                "name": person["name"],
                "label": person["title"],
                "email": person["email"],
                "summary": summary,
                "profiles": [
                    {"network": item["label"], "url": item["url"]} for item in own["links"]
                ],
            },
            "work": work,
            "volunteer": [
                {
                    "organization": item["organisation"],
                    "position": item["role"],
                    "startDate": item["start_date"],
                    "endDate": item["end_date"],
                    "summary": _("%(hours)s hours") % {"hours": item["hours"]},
                }
                for item in own["volunteering"]
            ],
            "education": education,
            "awards": [
                {
                    "title": item["title"],
                    "date": item["achieved_on"],
                    "summary": item["description"],
                }
                for item in own["achievements"]
            ],
            "certificates": certificates,
            "publications": [
                {
                    "name": item["title"],
                    "publisher": item["publisher"],
                    "releaseDate": item["published_on"],
                    "url": item["url"],
                }
                for item in own["publications"]
            ],
            "skills": [{"name": item["name"]} for item in own["skills"]],
            "languages": [
                {"language": item["name"], "fluency": item["level_label"]}
                for item in own["languages"]
            ],
            "meta": {
                "version": "v1.0.0",
                "lastModified": timezone.now().replace(microsecond=0).isoformat(),
                "language": language,
            },
        }
    return _clean(resume)
