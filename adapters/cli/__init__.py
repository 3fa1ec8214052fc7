"""The command line, a driving adapter like HTTP: the `nostr-id` argument parser and the commands,
each of which runs use cases it is handed and prints. The console script's entry point, which
builds the container and hands each command its collaborators, is `bootstrap/cli.py`."""
