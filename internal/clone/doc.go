// Package clone is the standby clone (`birdseye clone`, CRON_CLONE_STANDBY):
// the Python tool's clone_standby.py. A consistent copy of the primary's
// databases and configuration is staged here (Stage), pushed to a standby
// host over SFTP (Push) and installed there into one or more stacks by a
// generated install.sh that needs only bash, docker compose and coreutils.
// Standby holds the remote actions (install, drill, rollback, status,
// certificate merge); Verify compares the standby with the primary through
// their APIs, over TLS as clients would reach it after a DNS change.
//
// The primary is only ever read.
package clone
