/*
 * Keys fetched by a subrequest: "auth_jwt_key_request /uri" asks a local
 * location (which proxies to the identity provider, so TLS, timeouts and
 * resolvers are nginx's own) for a JWK Set; "auth_jwt_discovery" first
 * asks for the issuer's OpenID configuration and then for its "jwks_uri".
 *
 * The answer is shared by all workers through a shared-memory zone
 * (auth_jwt_key_zone): the text of the last good key set, when it was
 * fetched, how long it stays fresh, and whether a fetch is under way. Each
 * worker builds its own key set from that text once per new generation.
 * When to fetch is decided by authjwt::decideFetch from those shared
 * times; the request that starts a fetch waits for its subrequest, and
 * requests that cannot be answered without the new keys poll until it
 * ends. A fetch that fails, or brings anything but a usable key set,
 * never replaces the keys in use.
 */

#include <string>

#include "ngx_http_auth_jwt.hpp"

#include "core/remote.hpp"


/* The zone's record of one key request, in shared memory. */
struct ngx_http_auth_jwt_shared_keys_t {
    ngx_queue_t                queue;

    /* changes whenever body does, so workers know to rebuild */
    ngx_atomic_t               generation;

    time_t                     fetched;
    time_t                     attempted;
    time_t                     fetching_since;
    time_t                     max_age;          /* -1: none given */
    ngx_flag_t                 last_failed;

    u_char                    *body;             /* slab, or NULL */
    size_t                     body_len;

    size_t                     id_len;
    u_char                     id[1];
};


struct ngx_http_auth_jwt_key_zone_t {
    ngx_queue_t                sets;
};


enum class ngx_http_auth_jwt_fetch_stage { Discovery, Jwks };


struct ngx_http_auth_jwt_fetch_t {
    ngx_http_auth_jwt_remote_t    *remote;
    ngx_shm_zone_t                *zone;
    ngx_http_post_subrequest_t     ps;
    ngx_http_auth_jwt_fetch_stage  stage;

    /* $jwt_fetch_url while a subrequest is out */
    ngx_str_t                      url;

    /* the subrequest's answer, filled in when it ends */
    bool                           running;
    bool                           done;
    ngx_int_t                      rc;
    ngx_uint_t                     status;
    ngx_str_t                      body;
    time_t                         max_age;

    /* the zone's fetch flag is still ours to clear */
    bool                           holds_flag;
};


namespace {

/* this kind of zone's tag: see ngx_http_auth_jwt_cache_tag */
u_char  ngx_http_auth_jwt_key_zone_tag;

/* How often a request waiting for another's fetch looks again. */
constexpr ngx_msec_t  kPollMsec = 10;

constexpr size_t      kDefaultKeyZoneSize = 1024 * 1024;


ngx_str_t  ngx_http_auth_jwt_key_zone_name = ngx_string("auth_jwt_keys");


ngx_slab_pool_t *
ngx_http_auth_jwt_shpool(ngx_shm_zone_t *zone) noexcept
{
    return reinterpret_cast<ngx_slab_pool_t *>(zone->shm.addr);
}


ngx_int_t
ngx_http_auth_jwt_init_key_zone(ngx_shm_zone_t *zone, void *data) noexcept
{
    ngx_slab_pool_t               *shpool;
    ngx_http_auth_jwt_key_zone_t  *sh;

    /* a reload keeps the zone, and with it the keys already fetched */
    if (data != NULL) {
        zone->data = data;
        return NGX_OK;
    }

    shpool = ngx_http_auth_jwt_shpool(zone);

    if (zone->shm.exists) {
        zone->data = shpool->data;
        return NGX_OK;
    }

    sh = static_cast<ngx_http_auth_jwt_key_zone_t *>(
        ngx_slab_alloc(shpool, sizeof(ngx_http_auth_jwt_key_zone_t)));
    if (sh == NULL) {
        return NGX_ERROR;
    }

    ngx_queue_init(&sh->sets);

    shpool->data = sh;
    zone->data = sh;

    /* allocation failures are answered by the module, with the
     * directive's name */
    shpool->log_nomem = 0;

    return NGX_OK;
}


ngx_http_auth_jwt_shared_keys_t *
ngx_http_auth_jwt_find_shared_locked(ngx_shm_zone_t *zone,
    const std::string &id) noexcept
{
    ngx_queue_t                      *q;
    ngx_http_auth_jwt_shared_keys_t  *set;

    auto  sh = static_cast<ngx_http_auth_jwt_key_zone_t *>(zone->data);

    for (q = ngx_queue_head(&sh->sets);
         q != ngx_queue_sentinel(&sh->sets);
         q = ngx_queue_next(q))
    {
        set = ngx_queue_data(q, ngx_http_auth_jwt_shared_keys_t, queue);

        if (set->id_len == id.size()
            && ngx_memcmp(set->id, id.data(), id.size()) == 0)
        {
            return set;
        }
    }

    set = static_cast<ngx_http_auth_jwt_shared_keys_t *>(
        ngx_slab_calloc_locked(ngx_http_auth_jwt_shpool(zone),
                               sizeof(ngx_http_auth_jwt_shared_keys_t)
                               + id.size()));
    if (set == NULL) {
        return NULL;
    }

    set->max_age = -1;
    set->id_len = id.size();
    ngx_memcpy(set->id, id.data(), id.size());

    ngx_queue_insert_tail(&sh->sets, &set->queue);

    return set;
}


ngx_shm_zone_t *
ngx_http_auth_jwt_zone(ngx_http_request_t *r) noexcept
{
    auto  amcf = static_cast<ngx_http_auth_jwt_main_conf_t *>(
                     ngx_http_get_module_main_conf(r,
                                                   ngx_http_auth_jwt_module));
    return amcf->key_zone;
}


/* This worker's handle on the zone's record for remote, found or made on
 * first use. */
ngx_http_auth_jwt_shared_keys_t *
ngx_http_auth_jwt_shared(ngx_http_request_t *r,
    ngx_http_auth_jwt_remote_t *remote) noexcept
{
    ngx_shm_zone_t   *zone;
    ngx_slab_pool_t  *shpool;

    if (remote->shared != NULL) {
        return remote->shared;
    }

    zone = ngx_http_auth_jwt_zone(r);
    shpool = ngx_http_auth_jwt_shpool(zone);

    ngx_shmtx_lock(&shpool->mutex);
    remote->shared = ngx_http_auth_jwt_find_shared_locked(zone, remote->id);
    ngx_shmtx_unlock(&shpool->mutex);

    if (remote->shared == NULL && !remote->zone_full_logged) {
        remote->zone_full_logged = true;
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "auth_jwt: \"auth_jwt_key_zone\" is full: no room "
                      "for the keys of \"%V\"", &remote->uri);
    }

    return remote->shared;
}


/* A key set of its own from what a load brought. */
std::shared_ptr<authjwt::KeySet>
ngx_http_auth_jwt_key_set_of(authjwt::KeyLoad &load)
{
    auto  set = std::make_shared<authjwt::KeySet>();

    for (authjwt::Key &key : load.keys) {
        set->add(std::move(key));
    }

    return set;
}


/* A new generation in the zone: build this worker's key set from it. A
 * text that was good for the worker that stored it is good here; should
 * it not be, the keys in use stay. */
void
ngx_http_auth_jwt_rebuild(ngx_http_request_t *r,
    ngx_http_auth_jwt_keys_t *keys, ngx_http_auth_jwt_shared_keys_t *set)
{
    std::string        text;
    ngx_atomic_uint_t  generation;
    ngx_slab_pool_t   *shpool;

    shpool = ngx_http_auth_jwt_shpool(ngx_http_auth_jwt_zone(r));

    ngx_shmtx_lock(&shpool->mutex);

    generation = set->generation;

    try {
        text.assign(reinterpret_cast<const char *>(set->body), set->body_len);

    } catch (...) {
        ngx_shmtx_unlock(&shpool->mutex);
        throw;
    }

    ngx_shmtx_unlock(&shpool->mutex);

    keys->remote->generation = generation;

    authjwt::KeyLoad  load = authjwt::loadKeyText(text, keys->remote->id,
                                                  authjwt::AlgSet::all());
    if (!load.ok()) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "auth_jwt: keeping the previous keys: %s",
                      load.error.c_str());
        return;
    }

    keys->current = ngx_http_auth_jwt_key_set_of(load);
}


authjwt::FetchTimes
ngx_http_auth_jwt_times(const ngx_http_auth_jwt_shared_keys_t *set)
    noexcept
{
    authjwt::FetchTimes  times;

    times.fetched = set->fetched;
    times.attempted = set->attempted;
    times.fetchingSince = set->fetching_since;
    times.lastFailed = set->last_failed;

    if (set->max_age >= 0) {
        times.maxAge = set->max_age;
    }

    return times;
}


authjwt::KeyNeed
ngx_http_auth_jwt_key_need(authjwt::Status status) noexcept
{
    switch (status) {
    case authjwt::Status::KeysUnavailable:
        return authjwt::KeyNeed::Missing;
    case authjwt::Status::UnknownKid:
        return authjwt::KeyNeed::UnknownKid;
    default:
        return authjwt::KeyNeed::None;
    }
}


/* What authjwt::decideFetch() makes of the zone's record. Read without
 * the lock, the answer is good enough to tell that nothing is to be done,
 * the common case; a fetch is only started under the lock. */
authjwt::FetchDecision
ngx_http_auth_jwt_decision(ngx_http_auth_jwt_loc_conf_t *ajcf,
    const ngx_http_auth_jwt_shared_keys_t *set, authjwt::KeyNeed need)
    noexcept
{
    authjwt::FetchTiming  timing;

    timing.cacheSeconds = ajcf->key_cache;
    timing.refetchSeconds = ajcf->key_refetch;

    return authjwt::decideFetch(ngx_http_auth_jwt_times(set), need,
                                timing, ngx_time());
}


/* Decides, with the zone locked, whether this request fetches, waits or
 * goes on; a request that fetches marks the zone so no other does. */
authjwt::FetchDecision
ngx_http_auth_jwt_decide(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_http_auth_jwt_shared_keys_t *set,
    authjwt::KeyNeed need) noexcept
{
    ngx_slab_pool_t        *shpool;
    authjwt::FetchDecision  decision;

    shpool = ngx_http_auth_jwt_shpool(ngx_http_auth_jwt_zone(r));

    ngx_shmtx_lock(&shpool->mutex);

    decision = ngx_http_auth_jwt_decision(ajcf, set, need);

    if (decision == authjwt::FetchDecision::Start) {
        set->fetching_since = ngx_time();
        set->attempted = set->fetching_since;
    }

    ngx_shmtx_unlock(&shpool->mutex);

    return decision;
}


/* Clears the zone's fetch flag set by ngx_http_auth_jwt_decide(). */
void
ngx_http_auth_jwt_unmark(ngx_shm_zone_t *zone,
    ngx_http_auth_jwt_shared_keys_t *set, bool failed) noexcept
{
    ngx_slab_pool_t  *shpool = ngx_http_auth_jwt_shpool(zone);

    ngx_shmtx_lock(&shpool->mutex);
    set->fetching_since = 0;
    set->last_failed = failed;
    ngx_shmtx_unlock(&shpool->mutex);
}


/* Ends this request's hold on the zone's fetch flag. */
void
ngx_http_auth_jwt_release(ngx_http_auth_jwt_fetch_t *fetch, bool failed)
    noexcept
{
    if (fetch->holds_flag) {
        fetch->holds_flag = false;
        ngx_http_auth_jwt_unmark(fetch->zone, fetch->remote->shared, failed);
    }
}


/* A request that ends while its key request is out (the client went
 * away) must not leave the other workers waiting for it. */
void
ngx_http_auth_jwt_fetch_cleanup(void *data) noexcept
{
    ngx_http_auth_jwt_release(static_cast<ngx_http_auth_jwt_fetch_t *>(data),
                              true);
}


/* The stored key set text replaced by a new one; false when the zone has
 * no room for it (the old one then stays). */
bool
ngx_http_auth_jwt_store(ngx_http_auth_jwt_fetch_t *fetch) noexcept
{
    u_char                           *body;
    ngx_slab_pool_t                  *shpool;
    ngx_http_auth_jwt_shared_keys_t  *set = fetch->remote->shared;

    shpool = ngx_http_auth_jwt_shpool(fetch->zone);

    ngx_shmtx_lock(&shpool->mutex);

    body = static_cast<u_char *>(
        ngx_slab_alloc_locked(shpool, fetch->body.len));

    if (body == NULL) {
        ngx_shmtx_unlock(&shpool->mutex);
        return false;
    }

    ngx_memcpy(body, fetch->body.data, fetch->body.len);

    if (set->body != NULL) {
        ngx_slab_free_locked(shpool, set->body);
    }

    set->body = body;
    set->body_len = fetch->body.len;
    set->fetched = ngx_time();
    set->max_age = fetch->max_age;
    set->generation++;

    fetch->remote->generation = set->generation;

    ngx_shmtx_unlock(&shpool->mutex);

    return true;
}


/* The value of one Cache-Control header line, or of none. */
time_t
ngx_http_auth_jwt_response_max_age(ngx_http_request_t *sr)
{
    ngx_uint_t        i;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

    for (part = &sr->headers_out.headers.part; part; part = part->next) {
        h = static_cast<ngx_table_elt_t *>(part->elts);

        for (i = 0; i < part->nelts; i++) {
            if (h[i].hash == 0 || h[i].key.len != sizeof("Cache-Control") - 1
                || ngx_strncasecmp(h[i].key.data,
                                   (u_char *) "Cache-Control",
                                   h[i].key.len) != 0)
            {
                continue;
            }

            auto  age = authjwt::cacheControlMaxAge(
                            ngx_http_auth_jwt_view(h[i].value));
            if (age) {
                return static_cast<time_t>(*age);
            }
        }
    }

    return -1;
}


/* The subrequest has ended: keep what it brought for the request that
 * asked, which nginx runs again next. */
ngx_int_t
ngx_http_auth_jwt_fetch_done(ngx_http_request_t *sr, void *data,
    ngx_int_t rc) noexcept
{
    auto  fetch = static_cast<ngx_http_auth_jwt_fetch_t *>(data);

    /* an error status comes here first as rc, then again with the error
     * page; the last call, made when the subrequest is done, stands */
    fetch->done = true;
    fetch->rc = rc;
    fetch->status = sr->headers_out.status;

    if (fetch->status == 0 && rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        fetch->status = rc;
    }

    if (sr->out != NULL && sr->out->buf != NULL) {
        fetch->body.data = sr->out->buf->pos;
        fetch->body.len = sr->out->buf->last - sr->out->buf->pos;
    }

    try {
        fetch->max_age = ngx_http_auth_jwt_response_max_age(sr);

    } catch (...) {
        fetch->max_age = -1;
    }

    return rc;
}


/* Sends the subrequest of the fetch's current stage: a GET without the
 * client's headers and body, which are no business of the key
 * provider's (and a client's Content-Length would stall a proxied GET). */
ngx_int_t
ngx_http_auth_jwt_send(ngx_http_request_t *r, ngx_http_auth_jwt_fetch_t *fetch)
    noexcept
{
    ngx_http_request_t     *sr;
    ngx_http_headers_in_t   clean;

    fetch->ps.handler = ngx_http_auth_jwt_fetch_done;
    fetch->ps.data = fetch;
    fetch->done = false;
    fetch->body.len = 0;
    fetch->body.data = NULL;
    fetch->max_age = -1;

    if (ngx_http_subrequest(r, &fetch->remote->uri, NULL, &sr, &fetch->ps,
                            NGX_HTTP_SUBREQUEST_WAITED
                            |NGX_HTTP_SUBREQUEST_IN_MEMORY)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    ngx_memzero(&clean, sizeof(ngx_http_headers_in_t));

    if (ngx_list_init(&clean.headers, r->pool, 1, sizeof(ngx_table_elt_t))
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    clean.server = r->headers_in.server;
    clean.content_length_n = -1;
    clean.keep_alive_n = -1;

    sr->headers_in = clean;
    sr->request_body = NULL;

    fetch->running = true;

    return NGX_AGAIN;
}


/* Asks the key location for url ($jwt_fetch_url), as the given stage. */
ngx_int_t
ngx_http_auth_jwt_ask(ngx_http_request_t *r, ngx_http_auth_jwt_fetch_t *fetch,
    ngx_http_auth_jwt_fetch_stage stage, const std::string &url) noexcept
{
    fetch->stage = stage;
    fetch->url.len = url.size();
    fetch->url.data = static_cast<u_char *>(ngx_pnalloc(r->pool, url.size()));
    if (fetch->url.data == NULL) {
        return NGX_ERROR;
    }
    ngx_memcpy(fetch->url.data, url.data(), url.size());

    return ngx_http_auth_jwt_send(r, fetch);
}


/* Starts this request's fetch. May throw std::bad_alloc (the discovery
 * URL); the caller catches it. */
ngx_int_t
ngx_http_auth_jwt_start_fetch(ngx_http_request_t *r,
    ngx_http_auth_jwt_keys_t *keys, ngx_http_auth_jwt_ctx_t *ctx)
{
    ngx_pool_cleanup_t         *cln;
    ngx_http_auth_jwt_fetch_t  *fetch;
    ngx_http_auth_jwt_remote_t *remote = keys->remote.get();

    fetch = static_cast<ngx_http_auth_jwt_fetch_t *>(
        ngx_pcalloc(r->pool, sizeof(ngx_http_auth_jwt_fetch_t)));
    cln = ngx_pool_cleanup_add(r->pool, 0);

    if (fetch == NULL || cln == NULL) {
        ngx_http_auth_jwt_unmark(ngx_http_auth_jwt_zone(r), remote->shared,
                                 true);
        return NGX_ERROR;
    }

    fetch->remote = remote;
    fetch->zone = ngx_http_auth_jwt_zone(r);
    fetch->holds_flag = true;

    cln->handler = ngx_http_auth_jwt_fetch_cleanup;
    cln->data = fetch;

    ctx->fetch = fetch;

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "auth_jwt: fetching keys through \"%V\"", &remote->uri);

    if (remote->issuer.empty()) {
        fetch->stage = ngx_http_auth_jwt_fetch_stage::Jwks;
        return ngx_http_auth_jwt_send(r, fetch);
    }

    return ngx_http_auth_jwt_ask(r, fetch,
                                 ngx_http_auth_jwt_fetch_stage::Discovery,
                                 authjwt::discoveryDocumentUrl(remote->issuer));
}


/* Why a subrequest's answer is no key set text, or NULL. */
const char *
ngx_http_auth_jwt_bad_answer(ngx_http_auth_jwt_fetch_t *fetch) noexcept
{
    if (fetch->rc == NGX_ERROR) {
        return "the subrequest failed (is \"subrequest_output_buffer_size\" "
               "large enough?)";
    }

    if (fetch->status != NGX_HTTP_OK) {
        return "the answer's status is not 200";
    }

    if (fetch->body.len == 0) {
        return "the answer is empty";
    }

    return NULL;
}


void
ngx_http_auth_jwt_fetch_failed(ngx_http_request_t *r,
    ngx_http_auth_jwt_keys_t *keys, ngx_http_auth_jwt_fetch_t *fetch,
    const char *why) noexcept
{
    ngx_http_auth_jwt_release(fetch, true);

    if (keys->current->empty()) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "auth_jwt: fetching keys through \"%V\" failed "
                      "(status %ui): %s", &keys->remote->uri, fetch->status,
                      why);
        return;
    }

    ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                  "auth_jwt: fetching keys through \"%V\" failed "
                  "(status %ui): %s; the keys fetched before stay in use",
                  &keys->remote->uri, fetch->status, why);
}


/* The discovery document has come: ask next for its "jwks_uri". */
ngx_int_t
ngx_http_auth_jwt_discovered(ngx_http_request_t *r,
    ngx_http_auth_jwt_keys_t *keys, ngx_http_auth_jwt_fetch_t *fetch)
{
    authjwt::Discovery  found = authjwt::parseDiscovery(
                                    ngx_http_auth_jwt_view(fetch->body),
                                    keys->remote->issuer);
    if (!found.ok()) {
        ngx_http_auth_jwt_fetch_failed(r, keys, fetch, found.error.c_str());
        return NGX_DECLINED;
    }

    return ngx_http_auth_jwt_ask(r, fetch,
                                 ngx_http_auth_jwt_fetch_stage::Jwks,
                                 found.jwksUri);
}


/* The key set has come: in use here at once, and shared with the other
 * workers, if it is one. */
void
ngx_http_auth_jwt_fetched(ngx_http_request_t *r,
    ngx_http_auth_jwt_keys_t *keys, ngx_http_auth_jwt_fetch_t *fetch)
{
    authjwt::KeyLoad  load = authjwt::loadKeyText(
                                 ngx_http_auth_jwt_view(fetch->body),
                                 keys->remote->id, authjwt::AlgSet::all());
    if (!load.ok()) {
        ngx_http_auth_jwt_fetch_failed(r, keys, fetch, load.error.c_str());
        return;
    }

    if (!ngx_http_auth_jwt_store(fetch)) {
        ngx_http_auth_jwt_fetch_failed(r, keys, fetch,
                                       "\"auth_jwt_key_zone\" has no room "
                                       "for the key set");
        return;
    }

    keys->current = ngx_http_auth_jwt_key_set_of(load);

    ngx_http_auth_jwt_release(fetch, false);

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "auth_jwt: fetched %uz keys through \"%V\"",
                  keys->current->keys().size(), &keys->remote->uri);
}


/* The subrequest of the current stage has ended. NGX_AGAIN when the next
 * stage's is out, NGX_DECLINED when the fetch is over, either way. */
ngx_int_t
ngx_http_auth_jwt_fetch_step(ngx_http_request_t *r,
    ngx_http_auth_jwt_keys_t *keys, ngx_http_auth_jwt_fetch_t *fetch)
{
    const char  *bad;

    fetch->running = false;

    bad = ngx_http_auth_jwt_bad_answer(fetch);
    if (bad != NULL) {
        ngx_http_auth_jwt_fetch_failed(r, keys, fetch, bad);
        return NGX_DECLINED;
    }

    if (fetch->stage == ngx_http_auth_jwt_fetch_stage::Discovery) {
        return ngx_http_auth_jwt_discovered(r, keys, fetch);
    }

    ngx_http_auth_jwt_fetched(r, keys, fetch);

    return NGX_DECLINED;
}


/* Runs the phases again, from the access phase, once the poll timer set
 * by ngx_http_auth_jwt_poll() fires: as limit_req does for its delay. */
void
ngx_http_auth_jwt_poll_again(ngx_http_request_t *r) noexcept
{
    ngx_event_t  *wev = r->connection->write;

    if (wev->delayed) {
        if (ngx_handle_write_event(wev, 0) != NGX_OK) {
            ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        }
        return;
    }

    if (ngx_handle_read_event(r->connection->read, 0) != NGX_OK) {
        ngx_http_finalize_request(r, NGX_HTTP_INTERNAL_SERVER_ERROR);
        return;
    }

    r->read_event_handler = ngx_http_block_reading;
    r->write_event_handler = ngx_http_core_run_phases;

    ngx_http_core_run_phases(r);
}


ngx_int_t
ngx_http_auth_jwt_poll(ngx_http_request_t *r, ngx_http_auth_jwt_ctx_t *ctx)
    noexcept
{
    if (ctx->waiting_since == 0) {
        ctx->waiting_since = ngx_time();
    }

    if (ngx_time() - ctx->waiting_since >= authjwt::kFetchAbandonedSeconds) {
        return NGX_DECLINED;
    }

    ctx->polling = true;

    r->connection->write->delayed = 1;
    ngx_add_timer(r->connection->write, kPollMsec);

    r->read_event_handler = ngx_http_test_reading;
    r->write_event_handler = ngx_http_auth_jwt_poll_again;

    return NGX_AGAIN;
}


/* Whether r is one of the module's key requests. */
bool
ngx_http_auth_jwt_is_key_request(ngx_http_request_t *r) noexcept
{
    return r->post_subrequest != NULL
           && r->post_subrequest->handler == ngx_http_auth_jwt_fetch_done;
}


/* The value of $jwt_fetch_url in a key request: the URL the location is
 * to proxy to (discovery only). */
ngx_int_t
ngx_http_auth_jwt_fetch_url_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t) noexcept
{
    if (!ngx_http_auth_jwt_is_key_request(r)) {
        v->not_found = 1;
        return NGX_OK;
    }

    auto  fetch = static_cast<ngx_http_auth_jwt_fetch_t *>(
                      r->post_subrequest->data);

    if (fetch->url.len == 0) {
        v->not_found = 1;
        return NGX_OK;
    }

    v->data = fetch->url.data;
    v->len = fetch->url.len;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;

    return NGX_OK;
}

}  /* namespace */


const authjwt::KeySet &
ngx_http_auth_jwt_remote_keys(ngx_http_request_t *r,
    ngx_http_auth_jwt_keys_t *keys) noexcept
{
    ngx_http_auth_jwt_shared_keys_t  *set;

    set = ngx_http_auth_jwt_shared(r, keys->remote.get());

    if (set != NULL && set->generation != keys->remote->generation) {
        try {
            ngx_http_auth_jwt_rebuild(r, keys, set);

        } catch (...) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "auth_jwt: keeping the previous keys: out of "
                          "memory while building the fetched ones");
        }
    }

    return *keys->current;
}


/*
 * Called by the access handler once a verdict is in, when the keys come
 * from a key request: fetches or waits for keys if the verdict needs them
 * (no keys yet, an unknown kid) or they are stale, and verifies again once
 * they are in. NGX_AGAIN while waiting; NGX_DECLINED when the verdict in
 * ctx is final; NGX_ERROR.
 */
ngx_int_t
ngx_http_auth_jwt_wait_for_keys(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_http_auth_jwt_ctx_t *ctx)
    noexcept
{
    ngx_int_t                         rc;
    ngx_http_auth_jwt_keys_t         *keys = ajcf->keys;
    ngx_http_auth_jwt_shared_keys_t  *set;

    try {
        if (ctx->fetch != NULL && ctx->fetch->running) {
            if (!ctx->fetch->done) {
                return NGX_AGAIN;
            }

            rc = ngx_http_auth_jwt_fetch_step(r, keys, ctx->fetch);
            if (rc != NGX_DECLINED) {
                return rc;
            }

            ngx_http_auth_jwt_recheck(r, ajcf, ctx);
            return NGX_DECLINED;
        }

        if (ctx->polling) {
            ctx->polling = false;
            ngx_http_auth_jwt_recheck(r, ajcf, ctx);
        }

        /* a request fetches once, whatever comes of it */
        if (ctx->fetch != NULL || ctx->status == authjwt::Status::Missing) {
            return NGX_DECLINED;
        }

        set = ngx_http_auth_jwt_shared(r, keys->remote.get());
        if (set == NULL) {
            return NGX_DECLINED;
        }

        authjwt::KeyNeed  need = ngx_http_auth_jwt_key_need(ctx->status);

        if (need == authjwt::KeyNeed::None
            && ngx_http_auth_jwt_decision(ajcf, set, need)
               == authjwt::FetchDecision::Proceed)
        {
            return NGX_DECLINED;
        }

        switch (ngx_http_auth_jwt_decide(r, ajcf, set, need)) {
        case authjwt::FetchDecision::Start:
            return ngx_http_auth_jwt_start_fetch(r, keys, ctx);

        case authjwt::FetchDecision::Wait:
            return ngx_http_auth_jwt_poll(r, ctx);

        case authjwt::FetchDecision::Proceed:
            break;
        }

        return NGX_DECLINED;

    } catch (...) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "auth_jwt: out of memory while fetching keys");
        return NGX_ERROR;
    }
}


namespace {

/* One key request for this configuration level: its keys replace any
 * inherited ones. */
char *
ngx_http_auth_jwt_add_remote(ngx_conf_t *cf,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_str_t uri, std::string issuer)
{
    if (ajcf->keys != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           ajcf->keys->remote
                           ? "only one key request (\"auth_jwt_key_request\" "
                             "or \"auth_jwt_discovery\") is allowed per level"
                           : "keys from a key request cannot be combined "
                             "with \"auth_jwt_key\" at the same level");
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    if (uri.len == 0 || uri.data[0] != '/'
        || ngx_strlchr(uri.data, uri.data + uri.len, '$') != NULL)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid key request URI \"%V\": a local URI "
                           "such as \"/jwks\", without variables, is "
                           "expected", &uri);
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    auto  remote = std::make_unique<ngx_http_auth_jwt_remote_t>();

    remote->uri.len = uri.len;
    remote->uri.data = ngx_pstrdup(cf->pool, &uri);
    if (remote->uri.data == NULL) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    std::string  shown(ngx_http_auth_jwt_view(uri));

    if (issuer.empty()) {
        remote->id = "key request \"" + shown + "\"";

    } else {
        remote->id = "discovery of \"" + issuer + "\" through \"" + shown
                     + "\"";
        remote->issuers.push_back(issuer);
        remote->issuer = std::move(issuer);
    }

    ajcf->keys = ngx_http_auth_jwt_conf_new<ngx_http_auth_jwt_keys_t>(cf);
    ajcf->keys->remote = std::move(remote);

    auto  amcf = static_cast<ngx_http_auth_jwt_main_conf_t *>(
                     ngx_http_conf_get_module_main_conf(
                         cf, ngx_http_auth_jwt_module));
    amcf->uses_key_zone = 1;

    return NGX_CONF_OK;
}


bool
ngx_http_auth_jwt_parse_seconds(ngx_conf_t *cf, ngx_str_t value,
    time_t *seconds)
{
    *seconds = ngx_parse_time(&value, 1);

    if (*seconds == static_cast<time_t>(NGX_ERROR) || *seconds < 1) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid time \"%V\": at least \"1s\" is "
                           "expected", &value);
        return false;
    }

    return true;
}

}  /* namespace */


char *
ngx_http_auth_jwt_set_key_request(ngx_conf_t *cf,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_str_t uri)
{
    return ngx_http_auth_jwt_add_remote(cf, ajcf, uri, std::string());
}


/* auth_jwt_key_request /uri; (NGINX Plus's spelling) */
char *
ngx_http_auth_jwt_key_request(ngx_conf_t *cf, ngx_command_t *, void *conf)
    noexcept
{
    auto        ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(conf);
    ngx_str_t  *value = static_cast<ngx_str_t *>(cf->args->elts);

    return ngx_http_auth_jwt_guard(cf, [&] {
        return ngx_http_auth_jwt_set_key_request(cf, ajcf, value[1]);
    });
}


/* auth_jwt_discovery https://issuer request=/uri; */
char *
ngx_http_auth_jwt_discovery(ngx_conf_t *cf, ngx_command_t *, void *conf)
    noexcept
{
    auto        ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(conf);
    ngx_str_t  *value = static_cast<ngx_str_t *>(cf->args->elts);

    return ngx_http_auth_jwt_guard(cf, [&]() -> char * {
        ngx_str_t         uri;
        std::string_view  issuer = ngx_http_auth_jwt_view(value[1]);
        ngx_str_t         prefix = ngx_string_value("request=");

        if (!authjwt::isFetchableUrl(issuer, true)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid issuer \"%V\": an https URL is "
                               "expected", &value[1]);
            return static_cast<char *>(NGX_CONF_ERROR);
        }

        if (value[2].len <= prefix.len
            || ngx_strncmp(value[2].data, prefix.data, prefix.len) != 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\": \"request=/uri\", "
                               "a location that proxies to $jwt_fetch_url, "
                               "is expected", &value[2]);
            return static_cast<char *>(NGX_CONF_ERROR);
        }

        uri.data = value[2].data + prefix.len;
        uri.len = value[2].len - prefix.len;

        return ngx_http_auth_jwt_add_remote(cf, ajcf, uri,
                                            std::string(issuer));
    });
}


/* auth_jwt_key_cache time [refetch=time]; */
char *
ngx_http_auth_jwt_key_cache(ngx_conf_t *cf, ngx_command_t *, void *conf)
    noexcept
{
    auto        ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(conf);
    ngx_str_t  *value = static_cast<ngx_str_t *>(cf->args->elts);
    ngx_str_t   prefix = ngx_string_value("refetch=");

    if (ajcf->key_cache != NGX_CONF_UNSET) {
        return const_cast<char *>("is duplicate");
    }

    if (!ngx_http_auth_jwt_parse_seconds(cf, value[1], &ajcf->key_cache)) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    if (cf->args->nelts == 2) {
        return NGX_CONF_OK;
    }

    if (value[2].len <= prefix.len
        || ngx_strncmp(value[2].data, prefix.data, prefix.len) != 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\"", &value[2]);
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    value[2].data += prefix.len;
    value[2].len -= prefix.len;

    if (!ngx_http_auth_jwt_parse_seconds(cf, value[2], &ajcf->key_refetch)) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    return NGX_CONF_OK;
}


void *
ngx_http_auth_jwt_create_main_conf(ngx_conf_t *cf) noexcept
{
    ngx_http_auth_jwt_main_conf_t  *amcf;

    amcf = static_cast<ngx_http_auth_jwt_main_conf_t *>(
        ngx_pcalloc(cf->pool, sizeof(ngx_http_auth_jwt_main_conf_t)));
    if (amcf == NULL) {
        return NULL;
    }

    amcf->key_zone_size = NGX_CONF_UNSET_SIZE;

    return amcf;
}


char *
ngx_http_auth_jwt_init_main_conf(ngx_conf_t *cf, void *conf) noexcept
{
    auto  amcf = static_cast<ngx_http_auth_jwt_main_conf_t *>(conf);

    ngx_conf_init_size_value(amcf->key_zone_size, kDefaultKeyZoneSize);

    if (amcf->key_zone_size < 8 * ngx_pagesize) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"auth_jwt_key_zone\" of %uz bytes is too "
                           "small, at least %uz bytes are needed",
                           amcf->key_zone_size, 8 * ngx_pagesize);
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    return NGX_CONF_OK;
}


/* The zone is made only when some level has a key request. */
ngx_int_t
ngx_http_auth_jwt_add_key_zone(ngx_conf_t *cf) noexcept
{
    auto  amcf = static_cast<ngx_http_auth_jwt_main_conf_t *>(
                     ngx_http_conf_get_module_main_conf(
                         cf, ngx_http_auth_jwt_module));

    if (!amcf->uses_key_zone) {
        return NGX_OK;
    }

    amcf->key_zone = ngx_shared_memory_add(cf,
                                           &ngx_http_auth_jwt_key_zone_name,
                                           amcf->key_zone_size,
                                           &ngx_http_auth_jwt_key_zone_tag);
    if (amcf->key_zone == NULL) {
        return NGX_ERROR;
    }

    amcf->key_zone->init = ngx_http_auth_jwt_init_key_zone;
    amcf->key_zone->data = amcf;

    return NGX_OK;
}


ngx_int_t
ngx_http_auth_jwt_add_fetch_variable(ngx_conf_t *cf) noexcept
{
    ngx_str_t             name = ngx_string_value("jwt_fetch_url");
    ngx_http_variable_t  *var;

    var = ngx_http_add_variable(cf, &name, NGX_HTTP_VAR_NOCACHEABLE);
    if (var == NULL) {
        return NGX_ERROR;
    }

    var->get_handler = ngx_http_auth_jwt_fetch_url_variable;

    return NGX_OK;
}
