package stack

import _ "embed"

// PostgresExporterQueries is a postgres_exporter queries file that exports
// pg_stat_user_tables under the names and labels of the exporter's own
// collector in later releases (pg_stat_user_tables_n_tup_del{datname,
// schemaname,relname}, ...). Debian's 0.11 lacks that collector; with this
// file, rules written for the official image evaluate unchanged. The local
// provider hands it to the exporter, and images/build.sh copies it into the
// stand-in exporter image.
//
//go:embed postgres_exporter_queries.yaml
var PostgresExporterQueries []byte
