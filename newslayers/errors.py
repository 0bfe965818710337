"""Errors that mean "the user can fix this": the command line prints them, no traceback."""


class UserError(Exception):
    """A mistake in input, flags or environment, with a message that says what to do."""
