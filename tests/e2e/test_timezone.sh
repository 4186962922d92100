#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_timezone: the pager shows instants in UTC ("Z") by default; with
# --tz ZONE they start in that zone with its offset, and z switches between
# the zone and UTC.
. "$(dirname "$0")/lib.sh"

start_server
start_dhtui main 160 30 --tz Asia/Kolkata
expect_text main "10 objects" 15
open_table trades
expect_text main "2024-01-02T20:00:00" 10
screen main | grep -q "+05:30" || fail "--tz Asia/Kolkata: no +05:30 offset shown"
keys main z
expect_text main "2024-01-02T14:30:00" 5
expect_text main "Times in UTC" 5
screen main | grep -q "+05:30" && fail "z: still in +05:30"
keys main z
expect_text main "2024-01-02T20:00:00" 5
esc main
esc main
keys main q
wait_exit main 10 || fail "dhtui did not quit"
finish
