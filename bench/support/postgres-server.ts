/**
 * The benchmarks' throwaway PostgreSQL is the tests' (test/support/postgres-server.ts): initdb in a
 * temporary directory as the `postgres` user when root, a free loopback port, fsync on.
 */
export {
  startPostgres as startPostgresServer,
  type TestPostgres as BenchPostgres,
} from '../../test/support/postgres-server.js';
