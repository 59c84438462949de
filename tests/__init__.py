"""Cross-app tests: browser journeys (e2e/), integration tests, and shared fixtures."""
