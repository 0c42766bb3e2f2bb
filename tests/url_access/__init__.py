"""The access table of every URL (issue 8, point 1): the shared objects (`world`), the expected answers
(`expect`) and the table itself (`table`), used by tests/test_url_access.py."""
