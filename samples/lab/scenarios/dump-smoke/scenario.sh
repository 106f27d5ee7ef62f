#!/bin/sh
# Boots and asks for a dump of its memory: proves that LAB_DUMP works.
. /lab/capture.sh
cap_start 1
cap_dump 10
cap_stop
