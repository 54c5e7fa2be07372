/*
 * Declarations shared by the glue files: the location configuration, the
 * per-request context, and the functions one file offers the others.
 */

#pragma once

#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ngx.hpp"

#include "core/key.hpp"
#include "core/key_loader.hpp"
#include "core/rules.hpp"
#include "core/verifier.hpp"


/* Where a token may come from: an nginx variable, possibly in RFC 6750's
 * "Bearer" form. */
struct ngx_http_auth_jwt_source_t {
    ngx_int_t                  index;
    ngx_flag_t                 bearer;
    ngx_str_t                  name;          /* without "$" */
};


/* One auth_jwt_claims rule; rule is owned by a configuration pool
 * cleanup. */
struct ngx_http_auth_jwt_rule_t {
    const authjwt::Rule       *rule;
    ngx_str_t                  text;          /* as written, for the log */
    ngx_http_complex_value_t  *operand;
    ngx_uint_t                 error;         /* 401 or 403 */
};


/* One auth_jwt_require value. */
struct ngx_http_auth_jwt_require_t {
    ngx_http_complex_value_t   value;
    ngx_uint_t                 error;
};


/* Which version of a file: a change of any member is a change. Plain
 * data, so that it may sit in shared memory. */
struct ngx_http_auth_jwt_file_id_t {
    time_t           mtime;
    off_t            size;
    ngx_file_uniq_t  uniq;
    time_t           ctime;
};

ngx_http_auth_jwt_file_id_t ngx_http_auth_jwt_file_id(ngx_file_info_t *fi)
    noexcept;
bool operator==(const ngx_http_auth_jwt_file_id_t &a,
    const ngx_http_auth_jwt_file_id_t &b) noexcept;
bool ngx_http_auth_jwt_stat(const std::string &path,
    ngx_http_auth_jwt_file_id_t &id) noexcept;

/* Reads a whole file of at most max_size bytes (what names it in the
 * error) and which version of it was read. A file there but unreadable
 * still sets id, so that its failure is reported once. */
bool ngx_http_auth_jwt_read_file(const std::string &path, const char *what,
    off_t max_size, std::string &content, ngx_http_auth_jwt_file_id_t &id,
    std::string &error);


struct ngx_http_auth_jwt_shared_keys_t;


/* Keys fetched by a subrequest (auth_jwt_key_request, auth_jwt_discovery)
 * and shared by all workers through the key zone; see _remote.cpp. */
struct ngx_http_auth_jwt_remote_t {
    ngx_str_t                  uri;         /* the location to ask */
    std::string                issuer;      /* discovery only */
    std::string                id;          /* names it in the zone */

    /* what "iss" must be when discovery fixes it */
    std::vector<std::string>   issuers;

    /* this worker's view: the zone entry, and the generation of it that
     * the keys in use were built from */
    ngx_http_auth_jwt_shared_keys_t  *shared = nullptr;
    ngx_atomic_uint_t          generation = 0;
    bool                       zone_full_logged = false;
};


/* The keys of one configuration level and what they were built from: the
 * inline secrets and key files of its auth_jwt_key directives, in order,
 * or a key request. A worker builds the set again when a key file changes
 * or the key request brought new keys. */
struct ngx_http_auth_jwt_keys_t {
    struct Source {
        bool                     file = false;
        std::string              value;     /* secret, or full path */
        std::string              shown;     /* the path as configured */
        authjwt::SecretEncoding  encoding = authjwt::SecretEncoding::Utf8;

        /* the file as last read */
        ngx_http_auth_jwt_file_id_t  id = {};
    };

    std::vector<Source>                sources;
    std::shared_ptr<authjwt::KeySet>   current =
                                           std::make_shared<authjwt::KeySet>();
    bool                               has_files = false;
    time_t                             checked = 0;

    std::unique_ptr<ngx_http_auth_jwt_remote_t>  remote;
};


/* A revocation list in a shared memory zone; defined in
 * ngx_http_auth_jwt_revoke.cpp. */
struct ngx_http_auth_jwt_revoke_t;


struct ngx_http_auth_jwt_loc_conf_t {
    ngx_int_t                  enable;
    ngx_str_t                  realm;

    /* precomputed WWW-Authenticate values, set at merge */
    ngx_str_t                  challenge;
    ngx_str_t                  challenge_invalid;
    ngx_str_t                  challenge_scope;

    ngx_array_t               *sources;       /* of source_t */

    /* owned by a cleanup of the configuration pool */
    ngx_http_auth_jwt_keys_t  *keys;

    ngx_uint_t                 alg_bits;      /* auth_jwt_alg, or unset */
    ngx_uint_t                 listed_bits;   /* alg_bits, or all; merge */

    ngx_flag_t                 require_exp;
    time_t                     leeway;

    /* auth_jwt_key_cache: how long fetched keys are fresh when the answer
     * has no max-age, and how often an unknown kid may ask again */
    time_t                     key_cache;
    time_t                     key_refetch;

    time_t                     max_lifetime;
    size_t                     max_size;

    /* owned by configuration pool cleanups; NGX_CONF_UNSET_PTR: inherit */
    std::vector<std::string>  *issuers;
    std::vector<std::string>  *audiences;

    ngx_array_t               *rules;         /* of rule_t */
    ngx_array_t               *requires;      /* of require_t */

    ngx_uint_t                 type;          /* auth_jwt_type: signed */
    ngx_flag_t                 optional;
    ngx_flag_t                 allow_preflight;
    ngx_flag_t                 strip_token;
    ngx_http_complex_value_t  *login_url;

    /* auth_jwt_revoke; NGX_CONF_UNSET_PTR: inherit, NULL: off */
    ngx_http_auth_jwt_revoke_t  *revoke;

    /* auth_jwt_cache: a zone's cache, owned by a configuration pool
     * cleanup; NULL: none */
    authjwt::TokenCache       *cache;

    /* where "auth_jwt" was switched on, for errors found at merge */
    ngx_str_t                  enable_file;
    ngx_uint_t                 enable_line;
};

static_assert(std::is_standard_layout<ngx_http_auth_jwt_loc_conf_t>::value,
              "offsetof is used on the location configuration");


/* A key request in flight for one request: see _remote.cpp. */
struct ngx_http_auth_jwt_fetch_t;


/* The verdict for one request, computed once, whichever asks first: the
 * access handler or a variable. */
struct ngx_http_auth_jwt_ctx_t {
    /* the configuration the token was verified with */
    ngx_http_auth_jwt_loc_conf_t  *conf;

    authjwt::Status            status;
    authjwt::VerifiedToken     verified;

    /* the source the token came from, or NULL */
    ngx_http_auth_jwt_source_t  *source;

    /* Ok, or why a valid token (or none) was still refused */
    authjwt::Status            policy = authjwt::Status::Ok;

    /* the verdict has been logged */
    bool                       logged = false;

    /* waiting for keys: the key request this request makes, or since
     * when it waits for another's */
    ngx_http_auth_jwt_fetch_t  *fetch = nullptr;
    time_t                     waiting_since = 0;
    bool                       polling = false;
};


/* A C++ object that lives as long as the configuration: a cleanup on the
 * configuration pool destroys it, so a reload frees the old cycle's. */
template <typename T, typename... Args>
T *
ngx_http_auth_jwt_conf_new(ngx_conf_t *cf, Args &&...args)
{
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        throw std::bad_alloc();
    }

    T *object = new T(std::forward<Args>(args)...);

    cln->handler = [](void *data) { delete static_cast<T *>(data); };
    cln->data = object;

    return object;
}


/* Runs a directive setter's body, so that no C++ exception reaches
 * nginx. */
char *ngx_http_auth_jwt_conf_failed(ngx_conf_t *cf) noexcept;

template <typename Body>
char *
ngx_http_auth_jwt_guard(ngx_conf_t *cf, Body body) noexcept
{
    try {
        return body();

    } catch (...) {
        return ngx_http_auth_jwt_conf_failed(cf);
    }
}


/* An ngx_str_t for a string literal, usable as a function argument. */
template <size_t N>
ngx_str_t
ngx_string_value(const char (&literal)[N]) noexcept
{
    return { N - 1, reinterpret_cast<u_char *>(const_cast<char *>(literal)) };
}


inline std::string_view
ngx_http_auth_jwt_view(const ngx_str_t &s) noexcept
{
    return std::string_view(reinterpret_cast<const char *>(s.data), s.len);
}


extern "C" {
extern ngx_module_t  ngx_http_auth_jwt_module;
}


/* conf */
void *ngx_http_auth_jwt_create_loc_conf(ngx_conf_t *cf) noexcept;
char *ngx_http_auth_jwt_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child) noexcept;
char *ngx_http_auth_jwt(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
    noexcept;
char *ngx_http_auth_jwt_token(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
    noexcept;
char *ngx_http_auth_jwt_key(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
    noexcept;
char *ngx_http_auth_jwt_key_file(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf) noexcept;
char *ngx_http_auth_jwt_alg(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
    noexcept;

char *ngx_http_auth_jwt_claims(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf) noexcept;
char *ngx_http_auth_jwt_require(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf) noexcept;
char *ngx_http_auth_jwt_issuer(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf) noexcept;
char *ngx_http_auth_jwt_claim_set(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf) noexcept;

/* policy */
char *ngx_http_auth_jwt_merge_policy(ngx_conf_t *cf,
    ngx_http_auth_jwt_loc_conf_t *prev, ngx_http_auth_jwt_loc_conf_t *conf);
ngx_int_t ngx_http_auth_jwt_check_policy(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_http_auth_jwt_ctx_t *ctx)
    noexcept;

/* main configuration: the zone that shares fetched keys */
struct ngx_http_auth_jwt_main_conf_t {
    size_t                     key_zone_size;
    ngx_shm_zone_t            *key_zone;
    ngx_flag_t                 uses_key_zone;
};

void *ngx_http_auth_jwt_create_main_conf(ngx_conf_t *cf) noexcept;
char *ngx_http_auth_jwt_init_main_conf(ngx_conf_t *cf, void *conf) noexcept;

/* remote keys */
char *ngx_http_auth_jwt_key_request(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf) noexcept;
char *ngx_http_auth_jwt_set_key_request(ngx_conf_t *cf,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_str_t uri);
char *ngx_http_auth_jwt_discovery(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf) noexcept;
char *ngx_http_auth_jwt_key_cache(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf) noexcept;
ngx_int_t ngx_http_auth_jwt_add_key_zone(ngx_conf_t *cf) noexcept;
ngx_int_t ngx_http_auth_jwt_add_fetch_variable(ngx_conf_t *cf) noexcept;
const authjwt::KeySet &ngx_http_auth_jwt_remote_keys(ngx_http_request_t *r,
    ngx_http_auth_jwt_keys_t *keys) noexcept;
ngx_int_t ngx_http_auth_jwt_wait_for_keys(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_http_auth_jwt_ctx_t *ctx)
    noexcept;

/* keys */
bool ngx_http_auth_jwt_keys_add(ngx_http_auth_jwt_keys_t *keys,
    ngx_http_auth_jwt_keys_t::Source source, std::string &error);
const authjwt::KeySet &ngx_http_auth_jwt_keys_get(ngx_http_request_t *r,
    ngx_http_auth_jwt_keys_t *keys) noexcept;

/* revoke */
char *ngx_http_auth_jwt_revoke(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf) noexcept;
authjwt::Status ngx_http_auth_jwt_revoke_check(ngx_http_request_t *r,
    ngx_http_auth_jwt_revoke_t *revoke, authjwt::VerifiedToken &verified)
    noexcept;

/* cache */
char *ngx_http_auth_jwt_cache(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
    noexcept;
ngx_int_t ngx_http_auth_jwt_cache_check_zones(ngx_conf_t *cf) noexcept;
ngx_int_t ngx_http_auth_jwt_cache_add_variables(ngx_conf_t *cf) noexcept;

/* handler */
ngx_http_auth_jwt_ctx_t *ngx_http_auth_jwt_get_ctx(ngx_http_request_t *r)
    noexcept;
ngx_http_auth_jwt_ctx_t *ngx_http_auth_jwt_verify(ngx_http_request_t *r)
    noexcept;
void ngx_http_auth_jwt_recheck(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf, ngx_http_auth_jwt_ctx_t *ctx)
    noexcept;
bool ngx_http_auth_jwt_passes_unchecked(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf) noexcept;
ngx_int_t ngx_http_auth_jwt_handler(ngx_http_request_t *r) noexcept;

/* variables */
ngx_int_t ngx_http_auth_jwt_add_variables(ngx_conf_t *cf) noexcept;
