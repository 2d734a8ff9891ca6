"""Platform facts of the marketplaces: connections, fields, limits, cursors, item and push formats."""
