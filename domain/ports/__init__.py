"""Ports: the roles the core needs played by the outside world, as typing.Protocol classes."""
