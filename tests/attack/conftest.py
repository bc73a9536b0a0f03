"""The end-to-end fixtures (a real bot against the emulator) for the attack tests."""

from tests.e2e.conftest import Program, alex, jo, paired, program, sam  # noqa: F401
