/* shim: the stage group's leader (see shim.h). */
#include "shim.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
shim_main(int argc, char **argv)
{
	sigset_t set, old;
	struct timespec deadline = { 0, 0 }, now, wait;
	long long ppid, grace;
	int stopping = 0, st = 0, sig;
	pid_t pid;

	if (argc < 6 || strcmp(argv[4], "--") != 0) {
		fprintf(stderr, "usage: dataoptim-worker %s PPID GRACE_MS -- "
		    "COMMAND...\n", SHIM_FLAG);
		return 2;
	}
	ppid = atoll(argv[2]);
	grace = atoll(argv[3]);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	/* the worker's death (even by SIGKILL) reaches us as SIGTERM */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != ppid)
		raise(SIGTERM);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "[worker] cannot fork: %s\n", strerror(errno));
		return 126;
	}
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(argv[5], argv + 5);
		fprintf(stderr, "[worker] cannot run '%s': %s\n", argv[5],
		    strerror(errno));
		_exit(127);
	}
	for (;;) {
		siginfo_t info;

		if (stopping) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec > deadline.tv_sec ||
			    (now.tv_sec == deadline.tv_sec &&
			    now.tv_nsec >= deadline.tv_nsec)) {
				kill(0, SIGKILL);	/* the group, us too */
				_exit(137);
			}
			wait.tv_sec = deadline.tv_sec - now.tv_sec;
			wait.tv_nsec = deadline.tv_nsec - now.tv_nsec;
			if (wait.tv_nsec < 0) {
				wait.tv_sec--;
				wait.tv_nsec += 1000000000L;
			}
			sig = sigtimedwait(&set, &info, &wait);
		} else
			sig = sigwaitinfo(&set, &info);
		if (sig < 0)
			continue;	/* EINTR, EAGAIN: look at the clock */
		if (sig == SIGCHLD) {
			if (waitpid(pid, &st, WNOHANG) == pid)
				break;
			continue;
		}
		if (!stopping) {	/* TERM, INT, HUP: stop the group */
			stopping = 1;
			kill(0, SIGTERM);	/* pending here, blocked */
			clock_gettime(CLOCK_MONOTONIC, &deadline);
			deadline.tv_sec += grace / 1000;
			deadline.tv_nsec += (grace % 1000) * 1000000L;
			if (deadline.tv_nsec >= 1000000000L) {
				deadline.tv_sec++;
				deadline.tv_nsec -= 1000000000L;
			}
		}
	}
	if (WIFSIGNALED(st)) {
		sig = WTERMSIG(st);
		signal(sig, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		sigdelset(&old, sig);
		raise(sig);
		return 128 + sig;
	}
	return WEXITSTATUS(st);
}
