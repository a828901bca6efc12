"""The command-line interface: parse options, call one service, hand the result to render."""
