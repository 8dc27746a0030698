"""This folder is a fixture (a repository's non-config files, tests/test_filekinds.py), not tests to run."""

collect_ignore_glob = ["*"]
