"""The `shelfmind` command. One module per command group, imported lazily."""
