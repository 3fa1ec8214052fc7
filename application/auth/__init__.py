"""Use cases of sign-in, sessions and the authentication of every request."""
