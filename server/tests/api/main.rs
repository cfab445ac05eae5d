//! Integration tests: the real server on port 0 with a fresh database per
//! test. One test binary (not one per file) keeps linking time and disk use
//! down. Run against PostgreSQL by setting `CAMPUS_PASS_TEST_POSTGRES`.

#![recursion_limit = "512"]
mod support;

mod applications;
mod arrivals;
mod audit;
mod auth;
mod authz;
mod cas;
mod crash;
mod directory;
mod directory_sync;
mod exports;
mod keys;
mod manual;
mod offline;
mod passes;
mod people;
mod privacy;
mod process;
mod residents;
mod roll_call;
mod servers;
mod sms;
mod statistics;
mod temp_personnel;
mod vehicles;
mod wecom;
