"""Systems of record: where approved record changes are written."""
