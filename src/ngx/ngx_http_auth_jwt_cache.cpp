/*
 * auth_jwt_cache: the verified-token cache in a shared memory zone, so
 * that all workers share it and it survives reloads. Entries sit in a
 * red-black tree keyed by the first bytes of the token's SHA-256 (the
 * whole digest is compared) and on an LRU queue; one mutex guards both.
 * What an entry holds, and why a hit is safe, is the core's business
 * (core/token_cache.hpp); this file only keeps entries. Also the variable
 * $jwt_cache_status.
 */

#include <cstring>

#include "ngx_http_auth_jwt.hpp"

#include "core/token_cache.hpp"


namespace {

/* The tag of this kind of zone: one per kind, so that a name given to
 * zones of two kinds fails "nginx -t" ("already declared for a different
 * use") instead of handing one kind's zone to the other. */
u_char  ngx_http_auth_jwt_cache_tag;

/* at most this many expired entries are freed from the LRU tail on each
 * store, so that a store stays cheap */
constexpr ngx_uint_t  kExpireAtOnce = 2;


struct ngx_http_auth_jwt_cache_node_t {
    ngx_rbtree_node_t          node;        /* key: digest's first bytes */
    ngx_queue_t                lru;
    std::int64_t               expires;
    authjwt::TokenDigest       digest;
    authjwt::CachedToken       token;
};

static_assert(std::is_standard_layout<ngx_http_auth_jwt_cache_node_t>::value
              && std::is_trivially_copyable<
                     ngx_http_auth_jwt_cache_node_t>::value,
              "cache nodes live in shared memory");


struct ngx_http_auth_jwt_cache_sh_t {
    ngx_rbtree_t               rbtree;
    ngx_rbtree_node_t          sentinel;
    ngx_queue_t                lru;         /* most recently used first */
    ngx_uint_t                 entries;
};


/* One per zone and configuration cycle; each worker uses its own copy
 * (the digest context in TokenCache is per process). */
class ngx_http_auth_jwt_cache_t : public authjwt::TokenCache {
public:
    bool lookup(const authjwt::TokenDigest &digest, std::int64_t now,
                authjwt::CachedToken &out, std::int64_t &expires)
        noexcept override;
    void store(const authjwt::TokenDigest &digest,
               const authjwt::CachedToken &token,
               std::int64_t expires) noexcept override;

    ngx_slab_pool_t               *shpool = nullptr;
    ngx_http_auth_jwt_cache_sh_t  *sh = nullptr;

    ngx_uint_t                     max = 0;         /* 0: as many as fit */
    bool                           max_set = false;

    /* the first auth_jwt_cache naming the zone, for errors */
    ngx_str_t                      file = ngx_null_string;
    ngx_uint_t                     line = 0;

private:
    ngx_http_auth_jwt_cache_node_t *find(const authjwt::TokenDigest &digest)
        noexcept;
    ngx_http_auth_jwt_cache_node_t *allocate() noexcept;
    void remove(ngx_http_auth_jwt_cache_node_t *node) noexcept;
    void expire(std::int64_t now) noexcept;
};


/* the same floor as limit_req and limit_conn zones */
size_t
ngx_http_auth_jwt_cache_min_size() noexcept
{
    return 8 * ngx_pagesize;
}


ngx_rbtree_key_t
ngx_http_auth_jwt_cache_key(const authjwt::TokenDigest &digest) noexcept
{
    ngx_rbtree_key_t  key;

    std::memcpy(&key, digest.data(), sizeof(key));

    return key;
}


/* Nodes are inserted by ngx_rbtree_insert_value (nginx's own, so the
 * pointer kept in shared memory stays valid across reloads that load
 * this module at another address): equal keys go right, so the in-order
 * sequence is sorted, and nodes with the key sought may lie on both sides
 * of one that has it. */
ngx_http_auth_jwt_cache_node_t *
ngx_http_auth_jwt_cache_search(ngx_rbtree_node_t *node,
    ngx_rbtree_node_t *sentinel, ngx_rbtree_key_t key,
    const authjwt::TokenDigest &digest) noexcept
{
    ngx_http_auth_jwt_cache_node_t  *found;

    while (node != sentinel) {

        if (key < node->key) {
            node = node->left;
            continue;
        }

        if (key > node->key) {
            node = node->right;
            continue;
        }

        found = reinterpret_cast<ngx_http_auth_jwt_cache_node_t *>(node);

        if (found->digest == digest) {
            return found;
        }

        found = ngx_http_auth_jwt_cache_search(node->left, sentinel, key,
                                               digest);
        if (found != NULL) {
            return found;
        }

        node = node->right;
    }

    return NULL;
}


ngx_http_auth_jwt_cache_node_t *
ngx_http_auth_jwt_cache_t::find(const authjwt::TokenDigest &digest) noexcept
{
    return ngx_http_auth_jwt_cache_search(sh->rbtree.root, sh->rbtree.sentinel,
                                          ngx_http_auth_jwt_cache_key(digest),
                                          digest);
}


void
ngx_http_auth_jwt_cache_t::remove(ngx_http_auth_jwt_cache_node_t *node)
    noexcept
{
    ngx_queue_remove(&node->lru);
    ngx_rbtree_delete(&sh->rbtree, &node->node);
    ngx_slab_free_locked(shpool, node);
    sh->entries--;
}


void
ngx_http_auth_jwt_cache_t::expire(std::int64_t now) noexcept
{
    ngx_queue_t                     *q;
    ngx_http_auth_jwt_cache_node_t  *node;

    for (ngx_uint_t i = 0; i < kExpireAtOnce; i++) {
        if (ngx_queue_empty(&sh->lru)) {
            return;
        }

        q = ngx_queue_last(&sh->lru);
        node = ngx_queue_data(q, ngx_http_auth_jwt_cache_node_t, lru);

        if (node->expires > now) {
            return;
        }

        remove(node);
    }
}


/* A new node, making room by dropping the least recently used entries
 * when the zone is full or holds max entries. Nodes are all one size, so
 * one freed makes room for one more. */
ngx_http_auth_jwt_cache_node_t *
ngx_http_auth_jwt_cache_t::allocate() noexcept
{
    void                            *p;
    ngx_http_auth_jwt_cache_node_t  *lru;

    for ( ;; ) {
        if (max == 0 || sh->entries < max) {
            p = ngx_slab_alloc_locked(shpool,
                                      sizeof(ngx_http_auth_jwt_cache_node_t));
            if (p != NULL) {
                return static_cast<ngx_http_auth_jwt_cache_node_t *>(p);
            }
        }

        if (ngx_queue_empty(&sh->lru)) {
            return NULL;
        }

        lru = ngx_queue_data(ngx_queue_last(&sh->lru),
                             ngx_http_auth_jwt_cache_node_t, lru);
        remove(lru);
    }
}


bool
ngx_http_auth_jwt_cache_t::lookup(const authjwt::TokenDigest &digest,
    std::int64_t now, authjwt::CachedToken &out, std::int64_t &expires)
    noexcept
{
    bool                             found;
    ngx_http_auth_jwt_cache_node_t  *node;

    if (sh == NULL) {
        return false;
    }

    found = false;

    ngx_shmtx_lock(&shpool->mutex);

    node = find(digest);

    if (node != NULL) {
        if (node->expires > now) {
            out = node->token;
            expires = node->expires;
            ngx_queue_remove(&node->lru);
            ngx_queue_insert_head(&sh->lru, &node->lru);
            found = true;

        } else {
            remove(node);
        }
    }

    ngx_shmtx_unlock(&shpool->mutex);

    return found;
}


void
ngx_http_auth_jwt_cache_t::store(const authjwt::TokenDigest &digest,
    const authjwt::CachedToken &token, std::int64_t expires) noexcept
{
    ngx_http_auth_jwt_cache_node_t  *node;

    if (sh == NULL) {
        return;
    }

    ngx_shmtx_lock(&shpool->mutex);

    node = find(digest);

    if (node != NULL) {
        /* another worker stored it meanwhile, or the entry named a key
         * this location does not have */
        ngx_queue_remove(&node->lru);

    } else {
        expire(ngx_time());

        node = allocate();
        if (node == NULL) {
            ngx_shmtx_unlock(&shpool->mutex);
            return;
        }

        node->node.key = ngx_http_auth_jwt_cache_key(digest);
        node->digest = digest;
        ngx_rbtree_insert(&sh->rbtree, &node->node);
        sh->entries++;
    }

    node->token = token;
    node->expires = expires;
    ngx_queue_insert_head(&sh->lru, &node->lru);

    ngx_shmtx_unlock(&shpool->mutex);
}


/* Called for each zone when a configuration cycle starts; data is the
 * previous cycle's cache object when the zone is kept across a reload,
 * whose entries then stay. */
ngx_int_t
ngx_http_auth_jwt_cache_init_zone(ngx_shm_zone_t *shm_zone, void *data)
    noexcept
{
    size_t                         len;
    ngx_http_auth_jwt_cache_t     *cache, *ocache;
    ngx_http_auth_jwt_cache_sh_t  *sh;

    cache = static_cast<ngx_http_auth_jwt_cache_t *>(shm_zone->data);
    ocache = static_cast<ngx_http_auth_jwt_cache_t *>(data);

    if (ocache != NULL) {
        cache->sh = ocache->sh;
        cache->shpool = ocache->shpool;
        return NGX_OK;
    }

    cache->shpool = reinterpret_cast<ngx_slab_pool_t *>(shm_zone->shm.addr);

    if (shm_zone->shm.exists) {
        cache->sh = static_cast<ngx_http_auth_jwt_cache_sh_t *>(
            cache->shpool->data);
        return NGX_OK;
    }

    sh = static_cast<ngx_http_auth_jwt_cache_sh_t *>(
        ngx_slab_alloc(cache->shpool, sizeof(ngx_http_auth_jwt_cache_sh_t)));
    if (sh == NULL) {
        return NGX_ERROR;
    }

    cache->shpool->data = sh;
    cache->sh = sh;

    ngx_rbtree_init(&sh->rbtree, &sh->sentinel, ngx_rbtree_insert_value);
    ngx_queue_init(&sh->lru);
    sh->entries = 0;

    len = sizeof(" in auth_jwt_cache zone \"\"") + shm_zone->shm.name.len;

    cache->shpool->log_ctx = static_cast<u_char *>(
        ngx_slab_alloc(cache->shpool, len));
    if (cache->shpool->log_ctx == NULL) {
        return NGX_ERROR;
    }

    ngx_sprintf(cache->shpool->log_ctx, " in auth_jwt_cache zone \"%V\"%Z",
                &shm_zone->shm.name);

    /* a full zone is normal: the LRU entries make room, nothing to log */
    cache->shpool->log_nomem = 0;

    return NGX_OK;
}


/* "zone=NAME:SIZE" or "zone=NAME"; size is 0 for the latter. */
bool
ngx_http_auth_jwt_cache_parse_zone(ngx_conf_t *cf, ngx_str_t *arg,
    ngx_str_t *name, ssize_t *size) noexcept
{
    u_char     *colon, *last;
    ngx_str_t   s;

    name->data = arg->data + sizeof("zone=") - 1;
    last = arg->data + arg->len;

    colon = static_cast<u_char *>(ngx_strlchr(name->data, last, ':'));

    name->len = (colon != NULL ? colon : last) - name->data;
    *size = 0;

    if (name->len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"auth_jwt_cache\": invalid zone name \"%V\"",
                           arg);
        return false;
    }

    if (colon == NULL) {
        return true;
    }

    s.data = colon + 1;
    s.len = last - s.data;

    *size = ngx_parse_size(&s);

    if (*size == NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"auth_jwt_cache\": invalid zone size \"%V\"",
                           arg);
        return false;
    }

    if (static_cast<size_t>(*size) < ngx_http_auth_jwt_cache_min_size()) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"auth_jwt_cache\": zone \"%V\" is too small, "
                           "it needs at least %uz bytes", name,
                           ngx_http_auth_jwt_cache_min_size());
        return false;
    }

    return true;
}


/* The cache object of a zone, created with the zone on first mention. */
ngx_http_auth_jwt_cache_t *
ngx_http_auth_jwt_cache_zone(ngx_conf_t *cf, ngx_str_t *name, ssize_t size)
{
    ngx_shm_zone_t             *shm_zone;
    ngx_http_auth_jwt_cache_t  *cache;

    shm_zone = ngx_shared_memory_add(cf, name, size,
                                     &ngx_http_auth_jwt_cache_tag);
    if (shm_zone == NULL) {
        return NULL;
    }

    if (shm_zone->data != NULL) {
        return static_cast<ngx_http_auth_jwt_cache_t *>(shm_zone->data);
    }

    cache = ngx_http_auth_jwt_conf_new<ngx_http_auth_jwt_cache_t>(cf);

    cache->file = cf->conf_file->file.name;
    cache->line = cf->conf_file->line;

    shm_zone->init = ngx_http_auth_jwt_cache_init_zone;
    shm_zone->data = cache;

    return cache;
}


char *
ngx_http_auth_jwt_cache_set(ngx_conf_t *cf,
    ngx_http_auth_jwt_loc_conf_t *ajcf)
{
    ssize_t                     size;
    ngx_int_t                   max;
    ngx_str_t                  *value, name;
    ngx_uint_t                  i;
    ngx_http_auth_jwt_cache_t  *cache;

    value = static_cast<ngx_str_t *>(cf->args->elts);

    if (ngx_http_auth_jwt_view(value[1]) == "off" && cf->args->nelts == 2) {
        ajcf->cache = NULL;
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value[1].data, "zone=", 5) != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"auth_jwt_cache\": invalid parameter \"%V\", "
                           "expected \"zone=NAME:SIZE\", \"zone=NAME\" or "
                           "\"off\"", &value[1]);
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    if (!ngx_http_auth_jwt_cache_parse_zone(cf, &value[1], &name, &size)) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    max = 0;

    for (i = 2; i < cf->args->nelts; i++) {
        if (ngx_strncmp(value[i].data, "max=", 4) == 0) {
            max = ngx_atoi(value[i].data + 4, value[i].len - 4);
            if (max != NGX_ERROR && max > 0) {
                continue;
            }
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"auth_jwt_cache\": invalid parameter \"%V\"",
                           &value[i]);
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    if (max != 0 && size == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"auth_jwt_cache\": \"max=\" belongs where the "
                           "zone is defined, with its size: "
                           "\"zone=%V:SIZE max=%i\"", &name, max);
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    cache = ngx_http_auth_jwt_cache_zone(cf, &name, size);
    if (cache == NULL) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    if (size != 0) {
        if (cache->max_set && cache->max != static_cast<ngx_uint_t>(max)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "\"auth_jwt_cache\": zone \"%V\" is already "
                               "defined with another \"max=\"", &name);
            return static_cast<char *>(NGX_CONF_ERROR);
        }

        cache->max = max;
        cache->max_set = true;
    }

    ajcf->cache = cache;

    return NGX_CONF_OK;
}


ngx_int_t
ngx_http_auth_jwt_cache_status_variable(ngx_http_request_t *r,
    ngx_http_variable_value_t *v, uintptr_t) noexcept
{
    ngx_str_t                      status;
    ngx_http_auth_jwt_ctx_t       *ctx;
    ngx_http_auth_jwt_loc_conf_t  *ajcf;

    ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(
        ngx_http_get_module_loc_conf(r, ngx_http_auth_jwt_module));

    /* as $jwt_result: a read in the rewrite phase verifies the token
     * early, where the location checks tokens */
    if (ajcf->enable && !ngx_http_auth_jwt_passes_unchecked(r, ajcf)) {
        ctx = ngx_http_auth_jwt_verify(r);
        if (ctx == NULL) {
            return NGX_ERROR;
        }

    } else {
        ctx = ngx_http_auth_jwt_get_ctx(r);
    }

    if (ctx == NULL || ctx->verified.cache == authjwt::CacheUse::None) {
        v->not_found = 1;
        return NGX_OK;
    }

    status = ctx->verified.cache == authjwt::CacheUse::Hit
             ? ngx_string_value("HIT") : ngx_string_value("MISS");

    v->data = status.data;
    v->len = status.len;
    v->valid = 1;
    v->no_cacheable = 1;
    v->not_found = 0;

    return NGX_OK;
}

}  /* namespace */


char *
ngx_http_auth_jwt_cache(ngx_conf_t *cf, ngx_command_t *, void *conf) noexcept
{
    auto  ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(conf);

    if (ajcf->cache != NGX_CONF_UNSET_PTR) {
        return const_cast<char *>("is duplicate");
    }

    return ngx_http_auth_jwt_guard(cf, [&] {
        return ngx_http_auth_jwt_cache_set(cf, ajcf);
    });
}


/* A zone only named ("zone=NAME") must be defined with a size somewhere;
 * nginx would refuse it too, but without saying where it was named. */
ngx_int_t
ngx_http_auth_jwt_cache_check_zones(ngx_conf_t *cf) noexcept
{
    ngx_uint_t                  i;
    ngx_list_part_t            *part;
    ngx_shm_zone_t             *shm_zone;
    ngx_http_auth_jwt_cache_t  *cache;

    part = &cf->cycle->shared_memory.part;
    shm_zone = static_cast<ngx_shm_zone_t *>(part->elts);

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            shm_zone = static_cast<ngx_shm_zone_t *>(part->elts);
            i = 0;
        }

        if (shm_zone[i].tag != &ngx_http_auth_jwt_cache_tag
            || shm_zone[i].shm.size != 0)
        {
            continue;
        }

        cache = static_cast<ngx_http_auth_jwt_cache_t *>(shm_zone[i].data);

        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"auth_jwt_cache\": zone \"%V\" is not defined; "
                      "define it once as \"zone=%V:SIZE\" (named in %V:%ui)",
                      &shm_zone[i].shm.name, &shm_zone[i].shm.name,
                      &cache->file, cache->line);
        return NGX_ERROR;
    }

    return NGX_OK;
}


ngx_int_t
ngx_http_auth_jwt_cache_add_variables(ngx_conf_t *cf) noexcept
{
    ngx_str_t             name = ngx_string("jwt_cache_status");
    ngx_http_variable_t  *var;

    var = ngx_http_add_variable(cf, &name, NGX_HTTP_VAR_NOCACHEABLE);
    if (var == NULL) {
        return NGX_ERROR;
    }

    var->get_handler = ngx_http_auth_jwt_cache_status_variable;

    return NGX_OK;
}
