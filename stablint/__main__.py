"""``python -m stablint`` → the CLI."""

from stablint.cli import main

if __name__ == "__main__":
    main()
