"""The simulated employees of bench/load.py (run it, not this file): each locust user is one
distinct signed-in person, with the session bench/load.py made for them, clicking through
their pages with a pause between clicks. Reads MASAR_BENCH_PEOPLE (a JSON list of
{national_id, session, grievance}) and MASAR_BENCH_WAIT ("1,3" seconds)."""

from __future__ import annotations

import itertools
import json
import os
import threading

from locust import FastHttpUser, between, task

PEOPLE = json.loads(open(os.environ["MASAR_BENCH_PEOPLE"]).read())  # noqa: SIM115, PTH123
WAIT = tuple(float(x) for x in os.environ.get("MASAR_BENCH_WAIT", "1,3").split(","))
_next_person = itertools.count()
_lock = threading.Lock()


class Employee(FastHttpUser):
    # geventhttpclient: a fraction of requests' CPU, which matters when the load generator
    # shares the 2 cores with the server it measures.
    wait_time = between(*WAIT)

    def on_start(self):
        with _lock:
            index = next(_next_person)
        if index >= len(PEOPLE):
            raise RuntimeError("more simulated employees than prepared people")
        self.person = PEOPLE[index]
        self.headers = {"Cookie": f"sessionid={self.person['session']}"}

    def open(self, path: str, name: str | None = None):
        # A redirect (to sign-in) or a refusal is an error: every page must open for them.
        with self.client.get(
            path,
            name=name or path,
            headers=self.headers,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    @task(3)
    def dashboard(self):
        self.open("/")

    @task(2)
    def my_data(self):
        self.open("/my-data/")

    @task(2)
    def record(self):
        self.open("/my-data/record/")

    @task(2)
    def my_grievances(self):
        self.open("/grievances/mine/")

    @task(1)
    def grievance(self):
        if self.person["grievance"]:
            self.open(f"/grievances/{self.person['grievance']}/", name="/grievances/<number>/")

    @task(1)
    def promotions(self):
        self.open("/promotions/")

    @task(1)
    def bayan(self):
        self.open("/bayan/")

    @task(1)
    def job_audit(self):
        self.open("/job-audit/")

    @task(1)
    def cv(self):
        self.open("/cv/")
