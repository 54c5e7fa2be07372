/*
 * auth_jwt_revoke: a revocation list held in a shared memory zone, so that
 * every worker reads one copy of it.
 *
 * The zone's slab pool gives the list one block, the whole zone, at its
 * creation: a header, then the table image of core/revocation.hpp. The
 * table is read and written only under the pool's mutex, and written in
 * place, so no worker can hold a table another frees, and a list needs a
 * zone its own size, not twice that. The file is read when the
 * configuration is loaded (a bad file or a zone too small fails "nginx
 * -t" and the reload), and again when it changes: each worker looks at
 * most once a second, and the first to see a new version builds it; a
 * file that does not load, or no longer fits, leaves the previous list in
 * use and is logged once.
 */

#include <string>

#include "ngx_http_auth_jwt.hpp"

#include "core/revocation.hpp"


namespace {

/* this kind of zone's tag: see ngx_http_auth_jwt_cache_tag */
u_char  ngx_http_auth_jwt_revoke_tag;

/* a list of ten million UUIDs is about 400 MB: larger is a mistake */
constexpr off_t  kMaxListFileSize = 512 * 1024 * 1024;

constexpr uint64_t  kSharedMagic = 0x3148535645524a41;     /* "AJREVSH1" */


/* The head of the zone's block; the table image follows it. Read and
 * written only under the slab pool's mutex. */
struct ngx_http_auth_jwt_revoke_sh_t {
    uint64_t                     magic;
    u_char                      *image;
    size_t                       capacity;   /* bytes for the image */
    size_t                       used;       /* bytes of the image */
    ngx_uint_t                   pages;      /* of the block */
    ngx_uint_t                   entries;

    /* counts the configurations that set the zone up: only the workers
     * of the latest may replace the list */
    ngx_uint_t                   generation;

    /* the version the table holds, and the last one a worker took up */
    ngx_http_auth_jwt_file_id_t  loaded;
    ngx_http_auth_jwt_file_id_t  attempted;
};

static_assert(std::is_trivially_destructible<
                  ngx_http_auth_jwt_revoke_sh_t>::value,
              "placed in shared memory");

}  /* namespace */


/* One per zone, made by the first auth_jwt_revoke that names it. */
struct ngx_http_auth_jwt_revoke_t {
    ngx_shm_zone_t                 *zone = nullptr;

    /* set where the zone is declared with file= and its size */
    std::string                     path;
    ngx_str_t                       conf_file = ngx_null_string;
    ngx_uint_t                      conf_line = 0;

    /* read with the configuration; released once in the zone */
    authjwt::RevocationList         list;
    ngx_http_auth_jwt_file_id_t     id = {};

    ngx_slab_pool_t                *shpool = nullptr;
    ngx_http_auth_jwt_revoke_sh_t  *sh = nullptr;
    ngx_uint_t                      generation = 0;

    /* each worker's own, after the fork */
    authjwt::RevocationHasher       hasher;
    time_t                          checked = 0;
    unsigned                        fields = 0;    /* the table's, last */
};


namespace {

bool
ngx_http_auth_jwt_revoke_load(ngx_http_auth_jwt_revoke_t *rv,
    authjwt::RevocationList &list, ngx_http_auth_jwt_file_id_t &id,
    std::string &error)
{
    std::string  content;

    if (!ngx_http_auth_jwt_read_file(rv->path, "revocation list",
                                     kMaxListFileSize, content, id, error))
    {
        return false;
    }

    return authjwt::parseRevocationList(content, rv->path, rv->hasher, list,
                                        error);
}


/* The zone size that holds a table of table bytes: this zone's own cost
 * (slab pool header, page descriptors, alignment), plus each page of the
 * table and its descriptor, plus a page for the alignment of a larger
 * zone. */
size_t
ngx_http_auth_jwt_revoke_zone_needed(ngx_http_auth_jwt_revoke_t *rv,
    size_t table) noexcept
{
    size_t  page, fixed, pages;

    page = ngx_pagesize + sizeof(ngx_slab_page_t);
    fixed = rv->zone->shm.size - rv->sh->pages * page;
    pages = (sizeof(ngx_http_auth_jwt_revoke_sh_t) + table + ngx_pagesize - 1)
            / ngx_pagesize;

    return fixed + (pages + 1) * page;
}


/* Writes the table of list into the zone, if it fits. Called with the
 * mutex held, and by the latest configuration only. */
bool
ngx_http_auth_jwt_revoke_publish_locked(ngx_http_auth_jwt_revoke_t *rv,
    const authjwt::RevocationList &list, ngx_http_auth_jwt_file_id_t id)
    noexcept
{
    ngx_http_auth_jwt_revoke_sh_t  *sh = rv->sh;
    size_t                          size;

    size = authjwt::revocationTableSize(list.size());

    if (size > sh->capacity
        || !authjwt::writeRevocationTable(list, sh->image, sh->capacity))
    {
        return false;
    }

    sh->used = size;
    sh->entries = list.size();
    sh->loaded = id;

    return true;
}


/* Why a list does not fit, for the log. */
std::string
ngx_http_auth_jwt_revoke_too_large(ngx_http_auth_jwt_revoke_t *rv,
    const authjwt::RevocationList &list)
{
    size_t  table = authjwt::revocationTableSize(list.size());
    size_t  needed = ngx_http_auth_jwt_revoke_zone_needed(rv, table);

    return "revocation list \"" + rv->path + "\" ("
           + std::to_string(list.size()) + " entries) needs a zone of at "
           "least " + std::to_string((needed + 1023) / 1024) + "k, zone \""
           + std::string(ngx_http_auth_jwt_view(rv->zone->shm.name))
           + "\" is " + std::to_string(rv->zone->shm.size / 1024) + "k";
}


/* A worker that saw the file change: read it and replace the table. */
void
ngx_http_auth_jwt_revoke_rebuild(ngx_http_request_t *r,
    ngx_http_auth_jwt_revoke_t *rv)
{
    bool                         fits, current;
    std::string                  error;
    authjwt::RevocationList      list;
    ngx_http_auth_jwt_file_id_t  id;

    if (!ngx_http_auth_jwt_revoke_load(rv, list, id, error)) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "auth_jwt: keeping the previous revocation list: %s",
                      error.c_str());
        return;
    }

    ngx_shmtx_lock(&rv->shpool->mutex);

    current = (rv->generation == rv->sh->generation);
    fits = current && ngx_http_auth_jwt_revoke_publish_locked(rv, list, id);

    ngx_shmtx_unlock(&rv->shpool->mutex);

    if (!current) {
        return;
    }

    if (!fits) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "auth_jwt: keeping the previous revocation list: %s",
                      ngx_http_auth_jwt_revoke_too_large(rv, list).c_str());
        return;
    }

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "auth_jwt: revocation list \"%s\" changed, %uz entries "
                  "loaded", rv->path.c_str(), list.size());
}


/* Once a second per worker: whether the file is a version no worker has
 * taken up yet; if so, this worker takes it. A file that cannot be
 * looked at now (deleted, being replaced) is no change: the list stays.
 * The workers of a configuration a reload replaced only read the zone:
 * their file may no longer be the zone's. */
void
ngx_http_auth_jwt_revoke_refresh(ngx_http_request_t *r,
    ngx_http_auth_jwt_revoke_t *rv)
{
    bool                         taken;
    ngx_file_info_t              fi;
    ngx_http_auth_jwt_file_id_t  id;

    if (ngx_file_info(rv->path.c_str(), &fi) == NGX_FILE_ERROR) {
        return;
    }

    id = ngx_http_auth_jwt_file_id(&fi);

    ngx_shmtx_lock(&rv->shpool->mutex);

    taken = (rv->sh->attempted == id
             || rv->generation != rv->sh->generation);

    if (!taken) {
        rv->sh->attempted = id;
    }

    ngx_shmtx_unlock(&rv->shpool->mutex);

    /* a version is tried once, so a broken file is reported once */
    if (!taken) {
        ngx_http_auth_jwt_revoke_rebuild(r, rv);
    }
}


/* A new zone: its one block, all of its pages, holds the header and the
 * table. */
ngx_http_auth_jwt_revoke_sh_t *
ngx_http_auth_jwt_revoke_create(ngx_slab_pool_t *shpool) noexcept
{
    size_t                          size;
    ngx_uint_t                      pages;
    ngx_http_auth_jwt_revoke_sh_t  *sh;

    ngx_shmtx_lock(&shpool->mutex);

    pages = shpool->pfree;
    size = pages << ngx_pagesize_shift;
    sh = static_cast<ngx_http_auth_jwt_revoke_sh_t *>(
        ngx_slab_alloc_locked(shpool, size));

    ngx_shmtx_unlock(&shpool->mutex);

    if (sh == NULL) {
        return NULL;
    }

    sh->magic = kSharedMagic;
    sh->image = ngx_align_ptr(reinterpret_cast<u_char *>(sh + 1), 8);
    sh->capacity = reinterpret_cast<u_char *>(sh) + size - sh->image;
    sh->used = 0;
    sh->pages = pages;
    sh->entries = 0;
    sh->loaded = {};
    sh->attempted = {};
    sh->generation = 0;

    shpool->data = sh;

    return sh;
}


ngx_int_t
ngx_http_auth_jwt_revoke_init_zone(ngx_shm_zone_t *zone, void *data) noexcept
{
    bool                         fits;
    ngx_slab_pool_t             *shpool;
    ngx_http_auth_jwt_revoke_t  *rv;

    rv = static_cast<ngx_http_auth_jwt_revoke_t *>(zone->data);
    shpool = reinterpret_cast<ngx_slab_pool_t *>(zone->shm.addr);

    if (rv->path.empty()) {
        ngx_log_error(NGX_LOG_EMERG, zone->shm.log, 0,
                      "auth_jwt_revoke zone \"%V\" is never declared with "
                      "\"file=\" and a size", &zone->shm.name);
        return NGX_ERROR;
    }

    /* a reload that keeps the zone's name and size keeps the zone: the
     * workers of the previous configuration read it until they exit */
    if (data != NULL || zone->shm.exists) {
        rv->sh = static_cast<ngx_http_auth_jwt_revoke_sh_t *>(shpool->data);

    } else {
        rv->sh = ngx_http_auth_jwt_revoke_create(shpool);
    }

    if (rv->sh == NULL || rv->sh->magic != kSharedMagic) {
        ngx_log_error(NGX_LOG_EMERG, zone->shm.log, 0,
                      "auth_jwt_revoke zone \"%V\" cannot be set up",
                      &zone->shm.name);
        return NGX_ERROR;
    }

    rv->shpool = shpool;

    ngx_shmtx_lock(&shpool->mutex);

    fits = ngx_http_auth_jwt_revoke_publish_locked(rv, rv->list, rv->id);
    if (fits) {
        rv->sh->attempted = rv->id;
        rv->generation = ++rv->sh->generation;
    }

    ngx_shmtx_unlock(&shpool->mutex);

    if (!fits) {
        try {
            ngx_log_error(NGX_LOG_EMERG, zone->shm.log, 0,
                          "\"auth_jwt_revoke\": %s (in %V:%ui)",
                          ngx_http_auth_jwt_revoke_too_large(rv, rv->list)
                              .c_str(),
                          &rv->conf_file, rv->conf_line);

        } catch (...) {
            ngx_log_error(NGX_LOG_EMERG, zone->shm.log, 0,
                          "\"auth_jwt_revoke\": zone \"%V\" is too small",
                          &zone->shm.name);
        }

        return NGX_ERROR;
    }

    /* the zone holds it now */
    rv->list = authjwt::RevocationList();

    return NGX_OK;
}


/* "zone=NAME:SIZE" or "zone=NAME"; size 0 in the second form. */
bool
ngx_http_auth_jwt_revoke_zone_arg(ngx_conf_t *cf, ngx_str_t arg,
    ngx_str_t *name, ssize_t *size)
{
    u_char     *colon;
    ngx_str_t   s;

    *name = arg;
    *size = 0;

    colon = static_cast<u_char *>(
        ngx_strlchr(arg.data, arg.data + arg.len, ':'));

    if (colon != NULL) {
        name->len = colon - arg.data;
        s.data = colon + 1;
        s.len = arg.data + arg.len - s.data;

        *size = ngx_parse_size(&s);

        if (*size == NGX_ERROR) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid zone size \"%V\"", &s);
            return false;
        }

        if (*size < static_cast<ssize_t>(8 * ngx_pagesize)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "zone \"%V\" is too small", &arg);
            return false;
        }
    }

    if (name->len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid zone name \"%V\"", &arg);
        return false;
    }

    return true;
}


/* Binds the zone to its file and reads the file now, so that "nginx -t"
 * reports a bad one. */
char *
ngx_http_auth_jwt_revoke_declare(ngx_conf_t *cf, ngx_http_auth_jwt_revoke_t *rv,
    ngx_str_t path)
{
    std::string  error;

    if (!rv->path.empty()) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "zone \"%V\" is already declared in %V:%ui",
                           &rv->zone->shm.name, &rv->conf_file,
                           rv->conf_line);
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    if (path.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "empty revocation list file name");
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    /* relative to the configuration's directory, like key files */
    if (ngx_conf_full_name(cf->cycle, &path, 1) != NGX_OK) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    rv->path = std::string(ngx_http_auth_jwt_view(path));
    rv->conf_file = cf->conf_file->file.name;
    rv->conf_line = cf->conf_file->line;

    if (!ngx_http_auth_jwt_revoke_load(rv, rv->list, rv->id, error)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"auth_jwt_revoke\": %s",
                           error.c_str());
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    return NGX_CONF_OK;
}


char *
ngx_http_auth_jwt_revoke_set(ngx_conf_t *cf,
    ngx_http_auth_jwt_loc_conf_t *ajcf)
{
    ssize_t                      size;
    ngx_str_t                   *value, file, zone, name;
    ngx_uint_t                   i;
    ngx_shm_zone_t              *shm_zone;
    ngx_http_auth_jwt_revoke_t  *rv;

    value = static_cast<ngx_str_t *>(cf->args->elts);

    if (cf->args->nelts == 2 && ngx_http_auth_jwt_view(value[1]) == "off") {
        ajcf->revoke = NULL;
        return NGX_CONF_OK;
    }

    ngx_str_null(&file);
    ngx_str_null(&zone);

    for (i = 1; i < cf->args->nelts; i++) {
        std::string_view  arg = ngx_http_auth_jwt_view(value[i]);

        if (arg.substr(0, 5) == "file=" && file.data == NULL) {
            file.data = value[i].data + 5;
            file.len = value[i].len - 5;

        } else if (arg.substr(0, 5) == "zone=" && zone.data == NULL) {
            zone.data = value[i].data + 5;
            zone.len = value[i].len - 5;

        } else {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid parameter \"%V\"", &value[i]);
            return static_cast<char *>(NGX_CONF_ERROR);
        }
    }

    if (zone.data == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"zone=\" is required: \"file=PATH "
                           "zone=NAME:SIZE\" declares a list, \"zone=NAME\" "
                           "uses one declared elsewhere");
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    if (!ngx_http_auth_jwt_revoke_zone_arg(cf, zone, &name, &size)) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    if ((file.data != NULL) != (size != 0)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "\"file=\" and a zone size go together: "
                           "\"file=PATH zone=NAME:SIZE\" declares a list, "
                           "\"zone=NAME\" uses one declared elsewhere");
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    shm_zone = ngx_shared_memory_add(cf, &name, size,
                                     &ngx_http_auth_jwt_revoke_tag);
    if (shm_zone == NULL) {
        return static_cast<char *>(NGX_CONF_ERROR);
    }

    rv = static_cast<ngx_http_auth_jwt_revoke_t *>(shm_zone->data);

    if (rv == NULL) {
        rv = ngx_http_auth_jwt_conf_new<ngx_http_auth_jwt_revoke_t>(cf);
        rv->zone = shm_zone;

        shm_zone->data = rv;
        shm_zone->init = ngx_http_auth_jwt_revoke_init_zone;
    }

    if (file.data != NULL) {
        char *rc = ngx_http_auth_jwt_revoke_declare(cf, rv, file);
        if (rc != NGX_CONF_OK) {
            return rc;
        }
    }

    ajcf->revoke = rv;

    return NGX_CONF_OK;
}

}  /* namespace */


char *
ngx_http_auth_jwt_revoke(ngx_conf_t *cf, ngx_command_t *, void *conf)
    noexcept
{
    auto  ajcf = static_cast<ngx_http_auth_jwt_loc_conf_t *>(conf);

    if (ajcf->revoke != NGX_CONF_UNSET_PTR) {
        return const_cast<char *>("is duplicate");
    }

    return ngx_http_auth_jwt_guard(cf, [&] {
        return ngx_http_auth_jwt_revoke_set(cf, ajcf);
    });
}


/* Ok, Revoked, or InternalError, for a token that verified. The token's
 * values are hashed before the mutex is taken, for the fields the table
 * named last time; if it names others now, those are added and the
 * lookup is made again. */
authjwt::Status
ngx_http_auth_jwt_revoke_check(ngx_http_request_t *r,
    ngx_http_auth_jwt_revoke_t *rv, authjwt::VerifiedToken &verified)
    noexcept
{
    bool                     valid, ready, revoked;
    time_t                   now;
    unsigned                 fields;
    authjwt::Status          status;
    authjwt::RevocationKeys  keys;

    now = ngx_time();

    if (now != rv->checked) {
        rv->checked = now;

        try {
            ngx_http_auth_jwt_revoke_refresh(r, rv);

        } catch (...) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "auth_jwt: keeping the previous revocation list: "
                          "out of memory while reading \"%s\"",
                          rv->path.c_str());
        }
    }

    fields = rv->fields;

    for ( ;; ) {
        status = authjwt::revocationKeys(verified, fields, rv->hasher, keys);
        if (status != authjwt::Status::Ok) {
            return status;
        }

        ngx_shmtx_lock(&rv->shpool->mutex);

        authjwt::RevocationTable  table(rv->sh->image, rv->sh->used);

        valid = table.valid();
        fields = table.fields();
        ready = (fields & ~keys.looked) == 0;
        revoked = valid && ready && table.revokes(keys);

        ngx_shmtx_unlock(&rv->shpool->mutex);

        if (!valid) {
            return authjwt::Status::InternalError;
        }

        /* keys.looked grows each time round, so this ends */
        if (ready) {
            break;
        }
    }

    rv->fields = fields;

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                   "auth_jwt: revocation zone \"%V\": %s",
                   &rv->zone->shm.name, revoked ? "revoked" : "not listed");

    return revoked ? authjwt::Status::Revoked : authjwt::Status::Ok;
}
