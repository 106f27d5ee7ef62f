-- 006-vmcore: crash dumps, read as trees of kind 'vmcore'.
--
-- A vmcore is read by another program: the crash utility (with the
-- kernel's debug vmlinux), whose session is stored as a crash source, or
-- makedumpfile --dump-dmesg (without one), whose kernel log is stored as a
-- kernel_log source. Which program, and which version of it, is part of
-- the evidence: crash 8.0.2 cannot list the tasks of some 6.1 kernels.
ALTER TABLE trees ADD COLUMN reader TEXT;	-- 'crash 8.0.2', 'makedumpfile: version 1.7.2 ...'; NULL for other trees
