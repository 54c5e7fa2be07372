/*
 * The key set of one configuration level and what it was built from, so
 * that a worker can build it again when a key file changes: checked at
 * most once a second, on the request path; a file that no longer loads
 * keeps the previous keys in use and is reported once per change.
 */

#include "ngx_http_auth_jwt.hpp"

#include "core/key_loader.hpp"


namespace {

/* key files are small; anything larger is a mistake, not a key */
constexpr off_t  kMaxKeyFileSize = 1024 * 1024;


bool
ngx_http_auth_jwt_load_source(authjwt::KeySet &set,
    ngx_http_auth_jwt_keys_t::Source &source, std::string &error)
{
    authjwt::KeyLoad  load;

    if (source.file) {
        std::string  content;

        if (!ngx_http_auth_jwt_read_file(source.value, "key file",
                                         kMaxKeyFileSize, content, source.id,
                                         error))
        {
            return false;
        }

        load = authjwt::loadKeyText(content, source.shown,
                                    authjwt::AlgSet::all());

    } else {
        load = authjwt::loadSecret(source.value, source.encoding,
                                   authjwt::AlgSet::all());
    }

    if (!load.ok()) {
        error = std::move(load.error);
        return false;
    }

    for (authjwt::Key &key : load.keys) {
        set.add(std::move(key));
    }

    return true;
}


/* Whether a key file differs from the version its keys (or its last
 * failed load) came from. A file that cannot be read now (deleted,
 * being replaced) is not a change: its keys stay. */
bool
ngx_http_auth_jwt_files_changed(ngx_http_auth_jwt_keys_t *keys) noexcept
{
    ngx_http_auth_jwt_file_id_t  now;

    for (const auto &source : keys->sources) {
        if (source.file && ngx_http_auth_jwt_stat(source.value, now)
            && !(now == source.id))
        {
            return true;
        }
    }

    return false;
}


void
ngx_http_auth_jwt_reload(ngx_http_request_t *r, ngx_http_auth_jwt_keys_t *keys)
{
    std::string  error;
    auto         set = std::make_shared<authjwt::KeySet>();

    for (auto &source : keys->sources) {
        if (!ngx_http_auth_jwt_load_source(*set, source, error)) {
            /* the versions read so far are remembered, so a broken file
             * is reported once, not every second */
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "auth_jwt: keeping the previous keys: %s",
                          error.c_str());
            return;
        }
    }

    keys->current = std::move(set);

    ngx_log_error(NGX_LOG_NOTICE, r->connection->log, 0,
                  "auth_jwt: key files changed, keys reloaded");
}

}  /* namespace */


bool
ngx_http_auth_jwt_keys_add(ngx_http_auth_jwt_keys_t *keys,
    ngx_http_auth_jwt_keys_t::Source source, std::string &error)
{
    if (!ngx_http_auth_jwt_load_source(*keys->current, source, error)) {
        return false;
    }

    keys->sources.push_back(std::move(source));

    return true;
}


const authjwt::KeySet &
ngx_http_auth_jwt_keys_get(ngx_http_request_t *r,
    ngx_http_auth_jwt_keys_t *keys) noexcept
{
    time_t  now = ngx_time();

    if (keys->remote) {
        return ngx_http_auth_jwt_remote_keys(r, keys);
    }

    if (keys->has_files && now != keys->checked) {
        keys->checked = now;

        try {
            if (ngx_http_auth_jwt_files_changed(keys)) {
                ngx_http_auth_jwt_reload(r, keys);
            }

        } catch (...) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "auth_jwt: keeping the previous keys: out of "
                          "memory while reloading");
        }
    }

    return *keys->current;
}
