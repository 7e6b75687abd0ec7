"""The run store: runs, steps, human tasks and the audit trail behind one interface
(`base.RunStore`); `sqlite.SqliteRunStore` keeps them in the workspace's SQLite file.
Records and the send ledger belong to the connectors, not to the store."""
