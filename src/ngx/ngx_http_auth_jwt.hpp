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


/* The keys of one configuration level and what they were built from: the
 * inline secrets and key files of its auth_jwt_key directives, in order.
 * A worker builds the set again when a key file changes. */
struct ngx_http_auth_jwt_keys_t {
    struct Source {
        bool                     file = false;
        std::string              value;     /* secret, or full path */
        std::string              shown;     /* the path as configured */
        authjwt::SecretEncoding  encoding = authjwt::SecretEncoding::Utf8;

        /* the file as last read: a change of any is a change of file */
        time_t                   mtime = 0;
        off_t                    size = 0;
        ngx_file_uniq_t          uniq = 0;
    };

    std::vector<Source>                sources;
    std::shared_ptr<authjwt::KeySet>   current =
                                           std::make_shared<authjwt::KeySet>();
    bool                               has_files = false;
    time_t                             checked = 0;
};


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

    /* auth_jwt_cache: a zone's cache, owned by a configuration pool
     * cleanup; NULL: none */
    authjwt::TokenCache       *cache;

    /* where "auth_jwt" was switched on, for errors found at merge */
    ngx_str_t                  enable_file;
    ngx_uint_t                 enable_line;
};

static_assert(std::is_standard_layout<ngx_http_auth_jwt_loc_conf_t>::value,
              "offsetof is used on the location configuration");


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

/* keys */
bool ngx_http_auth_jwt_keys_add(ngx_http_auth_jwt_keys_t *keys,
    ngx_http_auth_jwt_keys_t::Source source, std::string &error);
const authjwt::KeySet &ngx_http_auth_jwt_keys_get(ngx_http_request_t *r,
    ngx_http_auth_jwt_keys_t *keys) noexcept;

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
bool ngx_http_auth_jwt_passes_unchecked(ngx_http_request_t *r,
    ngx_http_auth_jwt_loc_conf_t *ajcf) noexcept;
ngx_int_t ngx_http_auth_jwt_handler(ngx_http_request_t *r) noexcept;

/* variables */
ngx_int_t ngx_http_auth_jwt_add_variables(ngx_conf_t *cf) noexcept;
