"""Allow ``python -m mentorctl``."""

from mentorctl.cli import main

main()
