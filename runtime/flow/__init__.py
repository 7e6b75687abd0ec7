"""Flow files: schema, loading, migration, validation, conditions."""
