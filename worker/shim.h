/*
 * shim: the leader of a stage's process group, so that no stage process
 * outlives its worker, not even a worker killed with SIGKILL.
 *
 * The worker runs every stage command as
 *     dataoptim-worker --stage-shim PPID GRACE_MS -- COMMAND ARGS...
 * The shim asks the kernel for SIGTERM when its parent dies
 * (PR_SET_PDEATHSIG), starts the command in its own process group (the
 * one the worker's uv_spawn made), and waits.  On SIGTERM - from the
 * worker's stage_stop() or from the worker's death - it sends SIGTERM to
 * the whole group, then SIGKILL after GRACE_MS.  When the command exits
 * the shim exits the same way (status, or the same signal), and the
 * worker kills whatever is left of the group.
 */
#ifndef DO_SHIM_H
#define DO_SHIM_H

#define SHIM_FLAG "--stage-shim"

/* Run the shim with main()'s arguments (argv[1] is SHIM_FLAG); returns
 * the exit status, or does not return (the command's signal). */
int shim_main(int argc, char **argv);

#endif
