#include "metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "db.h"
#include "route.h"

#define M_ROUTES 160	/* more than route_count + 2 */
static const unsigned m_codes[] = { 200, 201, 204, 206, 301, 304, 400, 401,
    403, 404, 405, 409, 411, 413, 415, 422, 429, 500, 501, 503, 507, 0 };
#define M_CODES (sizeof(m_codes) / sizeof(m_codes[0]))	/* last: other */

static atomic_uint_fast64_t m_req[M_ROUTES][M_CODES];
static atomic_uint_fast64_t m_req_ns[M_ROUTES];
static atomic_uint_fast64_t m_bytes_out;
static atomic_uint_fast64_t m_uploads, m_upload_bytes;
static atomic_uint_fast64_t m_outcomes[METRICS_NOUTCOMES];

static const char *const m_outcome_names[METRICS_NOUTCOMES] = {
	"accepted", "reused", "invalid", "too_large", "quota", "closed",
	"error"
};

static const char *m_route_name(size_t r);

/* Routes that share a name ("page") share one series: each route counts
 * in the slot of the first route of its name (a table made once). */
static size_t m_slot[M_ROUTES];
static pthread_once_t m_slot_once = PTHREAD_ONCE_INIT;

static void
m_slot_init(void)
{
	size_t r, i;

	for (r = 0; r < M_ROUTES; r++)
		for (m_slot[r] = r, i = 0; i < r; i++)
			if (strcmp(m_route_name(i), m_route_name(r)) == 0) {
				m_slot[r] = i;
				break;
			}
}

void
metrics_request(size_t route, unsigned status, uint64_t bytes, uint64_t ns)
{
	size_t c;

	if (route >= M_ROUTES)
		route = M_ROUTES - 1;
	pthread_once(&m_slot_once, m_slot_init);
	route = m_slot[route];
	for (c = 0; c < M_CODES - 1; c++)
		if (m_codes[c] == status)
			break;
	atomic_fetch_add_explicit(&m_req[route][c], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m_req_ns[route], ns, memory_order_relaxed);
	atomic_fetch_add_explicit(&m_bytes_out, bytes, memory_order_relaxed);
}

void
metrics_upload(uint64_t bytes)
{
	atomic_fetch_add(&m_uploads, 1);
	atomic_fetch_add(&m_upload_bytes, bytes);
}

void
metrics_submission(enum metrics_outcome o)
{
	if ((unsigned)o < METRICS_NOUTCOMES)
		atomic_fetch_add(&m_outcomes[o], 1);
}

static const char *
m_route_name(size_t r)
{
	if (r < route_count)
		return route_table[r].name;
	if (r == route_count)
		return "static";
	return "unmatched";
}

char *
metrics_render(struct db *db, size_t *outlen)
{
	struct buf out = BUF_INIT;
	size_t r, c, nr = route_count + 2;
	int64_t counts[JOB_NSTATES];
	uint64_t v;
	int i;

	if (nr > M_ROUTES)
		nr = M_ROUTES;
	buf_printf(&out, "# HELP dataoptim_http_requests_total "
	    "HTTP requests by route and status.\n"
	    "# TYPE dataoptim_http_requests_total counter\n");
	/* one series per route name: the slots (see m_slot) */
	pthread_once(&m_slot_once, m_slot_init);
	for (r = 0; r < nr; r++) {
		if (m_slot[r] != r)
			continue;
		for (c = 0; c < M_CODES; c++) {
			v = atomic_load(&m_req[r][c]);
			if (v == 0)
				continue;
			if (m_codes[c] != 0)
				buf_printf(&out, "dataoptim_http_requests_"
				    "total{route=\"%s\",status=\"%u\"} %llu\n",
				    m_route_name(r), m_codes[c],
				    (unsigned long long)v);
			else
				buf_printf(&out, "dataoptim_http_requests_"
				    "total{route=\"%s\",status=\"other\"} %llu\n",
				    m_route_name(r), (unsigned long long)v);
		}
	}
	buf_printf(&out, "# HELP dataoptim_http_request_seconds_total "
	    "Time spent answering, by route.\n"
	    "# TYPE dataoptim_http_request_seconds_total counter\n");
	for (r = 0; r < nr; r++) {
		v = m_slot[r] == r ? atomic_load(&m_req_ns[r]) : 0;
		if (v != 0)
			buf_printf(&out, "dataoptim_http_request_seconds_"
			    "total{route=\"%s\"} %.6f\n", m_route_name(r),
			    (double)v / 1e9);
	}
	buf_printf(&out, "# TYPE dataoptim_http_response_bytes_total "
	    "counter\ndataoptim_http_response_bytes_total %llu\n",
	    (unsigned long long)atomic_load(&m_bytes_out));
	buf_printf(&out, "# HELP dataoptim_uploads_total Submission "
	    "uploads received.\n# TYPE dataoptim_uploads_total counter\n"
	    "dataoptim_uploads_total %llu\n"
	    "# TYPE dataoptim_upload_bytes_total counter\n"
	    "dataoptim_upload_bytes_total %llu\n",
	    (unsigned long long)atomic_load(&m_uploads),
	    (unsigned long long)atomic_load(&m_upload_bytes));
	buf_printf(&out, "# HELP dataoptim_submissions_total "
	    "Submissions by outcome.\n"
	    "# TYPE dataoptim_submissions_total counter\n");
	for (i = 0; i < METRICS_NOUTCOMES; i++)
		buf_printf(&out, "dataoptim_submissions_total"
		    "{outcome=\"%s\"} %llu\n", m_outcome_names[i],
		    (unsigned long long)atomic_load(&m_outcomes[i]));
	if (db != NULL && db_job_counts(db, counts) == DB_OK) {
		buf_printf(&out, "# HELP dataoptim_jobs Jobs by state.\n"
		    "# TYPE dataoptim_jobs gauge\n");
		for (i = 0; i < JOB_NSTATES; i++)
			buf_printf(&out, "dataoptim_jobs{state=\"%s\"} "
			    "%lld\n", job_state_name(i), (long long)counts[i]);
		buf_printf(&out, "# HELP dataoptim_queue_depth Jobs "
		    "waiting for a worker.\n# TYPE dataoptim_queue_depth gauge\n"
		    "dataoptim_queue_depth %lld\n", (long long)counts[JOB_QUEUED]);
	}
	return buf_steal(&out, outlen);
}
