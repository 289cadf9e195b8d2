"""Every command is documented: help text with an example, and a row in the README."""

import pytest

from pipeline.cli import cli
from tests.conftest import REPO

README = (REPO / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_a_readme_row(name):
    command = cli.commands[name]
    assert command.help and "Example:" in command.help, f"give 'migtrack {name}' a docstring with an Example: line"
    assert f"`migtrack {name}" in README, f"document 'migtrack {name}' in the README's command table"
