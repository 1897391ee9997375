"""The exact error chains real conda raises for each network failure class, per release.

Collected from real runs against local peers by tests/support/conda_messages.py
(python tests/support/conda_messages.py, once with each conda): for each
class, the class names along the exception chain (deduplicated) and the
messages, as the error hints read them (hints.chain_texts). Ports, paths and
certificate names are those of the run that produced them.
"""

MESSAGES: dict[str, dict[str, tuple[tuple[str, ...], str]]] = {
    "26.7.1": {
        "connection_refused": (
            (
                "CondaHTTPError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "NewConnectionError",
                "ConnectTimeoutError",
                "TimeoutError",
                "ConnectionRefusedError",
            ),
            "HTTP 000 CONNECTION FAILED for url "
            "<http://127.0.0.1:60677/demo/linux-64/repodata.json>\n"
            "Elapsed: -\n"
            "\n"
            "An HTTP error occurred when trying to retrieve "
            "this URL.\n"
            "HTTP errors are often intermittent, and a simple "
            "retry will get you on your way.\n"
            "'http//127.0.0.1:60677/demo/linux-64'\n"
            "\n"
            "HTTPConnectionPool(host='127.0.0.1', port=60677): "
            "Max retries exceeded with url: "
            "/demo/linux-64/repodata.json.zst (Caused by "
            "NewConnectionError(\"HTTPConnection(host='127.0.0.1', "
            "port=60677): Failed to establish a new connection: "
            '[Errno 111] Connection refused"))\n'
            "HTTPConnectionPool(host='127.0.0.1', port=60677): "
            "Max retries exceeded with url: "
            "/demo/linux-64/repodata.json.zst (Caused by "
            "NewConnectionError(\"HTTPConnection(host='127.0.0.1', "
            "port=60677): Failed to establish a new connection: "
            '[Errno 111] Connection refused"))\n'
            "HTTPConnection(host='127.0.0.1', port=60677): "
            "Failed to establish a new connection: [Errno 111] "
            "Connection refused\n"
            "[Errno 111] Connection refused\n",
        ),
        "dns": (
            (
                "CondaHTTPError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "NameResolutionError",
                "NewConnectionError",
                "ConnectTimeoutError",
                "TimeoutError",
                "gaierror",
            ),
            "HTTP 000 CONNECTION FAILED for url "
            "<http://channel.netcheck-hints.invalid/demo/linux-64/repodata.json>\n"
            "Elapsed: -\n"
            "\n"
            "An HTTP error occurred when trying to retrieve this URL.\n"
            "HTTP errors are often intermittent, and a simple retry will get "
            "you on your way.\n"
            "'http//channel.netcheck-hints.invalid/demo/linux-64'\n"
            "\n"
            "HTTPConnectionPool(host='channel.netcheck-hints.invalid', "
            "port=80): Max retries exceeded with url: "
            "/demo/linux-64/repodata.json.zst (Caused by "
            "NameResolutionError(\"HTTPConnection(host='channel.netcheck-hints.invalid', "
            "port=80): Failed to resolve 'channel.netcheck-hints.invalid' "
            '([Errno -3] Temporary failure in name resolution)"))\n'
            "HTTPConnectionPool(host='channel.netcheck-hints.invalid', "
            "port=80): Max retries exceeded with url: "
            "/demo/linux-64/repodata.json.zst (Caused by "
            "NameResolutionError(\"HTTPConnection(host='channel.netcheck-hints.invalid', "
            "port=80): Failed to resolve 'channel.netcheck-hints.invalid' "
            '([Errno -3] Temporary failure in name resolution)"))\n'
            "HTTPConnection(host='channel.netcheck-hints.invalid', port=80): "
            "Failed to resolve 'channel.netcheck-hints.invalid' ([Errno -3] "
            "Temporary failure in name resolution)\n"
            "[Errno -3] Temporary failure in name resolution\n",
        ),
        "tls_untrusted": (
            (
                "CondaSSLError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "SSLError",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "SSLCertVerificationError",
                "ValueError",
            ),
            "Encountered an SSL error. Most likely a certificate "
            "verification issue.\n"
            "\n"
            "Exception: HTTPSConnectionPool(host='127.0.0.1', "
            "port=42733): Max retries exceeded with url: "
            "/noarch/repodata_shards.msgpack.zst (Caused by "
            "SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "unable to get local issuer certificate "
            "(_ssl.c:1006)')))\n"
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=42733): Max "
            "retries exceeded with url: "
            "/noarch/repodata_shards.msgpack.zst (Caused by "
            "SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "unable to get local issuer certificate "
            "(_ssl.c:1006)')))\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=42733): Max "
            "retries exceeded with url: "
            "/noarch/repodata_shards.msgpack.zst (Caused by "
            "SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "unable to get local issuer certificate "
            "(_ssl.c:1006)')))\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: unable to get local issuer certificate "
            "(_ssl.c:1006)\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: unable to get local issuer certificate "
            "(_ssl.c:1006)\n",
        ),
        "tls_self_signed": (
            (
                "CondaSSLError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "SSLError",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "SSLCertVerificationError",
                "ValueError",
            ),
            "Encountered an SSL error. Most likely a certificate "
            "verification issue.\n"
            "\n"
            "Exception: HTTPSConnectionPool(host='127.0.0.1', "
            "port=42699): Max retries exceeded with url: "
            "/linux-64/repodata_shards.msgpack.zst (Caused by "
            "SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "self-signed certificate (_ssl.c:1006)')))\n"
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=42699): "
            "Max retries exceeded with url: "
            "/linux-64/repodata_shards.msgpack.zst (Caused by "
            "SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "self-signed certificate (_ssl.c:1006)')))\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=42699): "
            "Max retries exceeded with url: "
            "/linux-64/repodata_shards.msgpack.zst (Caused by "
            "SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "self-signed certificate (_ssl.c:1006)')))\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: self-signed certificate (_ssl.c:1006)\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: self-signed certificate (_ssl.c:1006)\n",
        ),
        "tls_expired": (
            (
                "CondaSSLError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "SSLError",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "SSLCertVerificationError",
                "ValueError",
            ),
            "Encountered an SSL error. Most likely a certificate "
            "verification issue.\n"
            "\n"
            "Exception: HTTPSConnectionPool(host='127.0.0.1', "
            "port=46737): Max retries exceeded with url: "
            "/noarch/repodata_shards.msgpack.zst (Caused by "
            "SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "certificate has expired (_ssl.c:1006)')))\n"
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=46737): Max "
            "retries exceeded with url: "
            "/noarch/repodata_shards.msgpack.zst (Caused by "
            "SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "certificate has expired (_ssl.c:1006)')))\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=46737): Max "
            "retries exceeded with url: "
            "/noarch/repodata_shards.msgpack.zst (Caused by "
            "SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "certificate has expired (_ssl.c:1006)')))\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: certificate has expired (_ssl.c:1006)\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: certificate has expired (_ssl.c:1006)\n",
        ),
        "tls_hostname_mismatch": (
            (
                "CondaSSLError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "SSLError",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "SSLCertVerificationError",
                "ValueError",
            ),
            "Encountered an SSL error. Most likely a "
            "certificate verification issue.\n"
            "\n"
            "Exception: "
            "HTTPSConnectionPool(host='127.0.0.1', "
            "port=33015): Max retries exceeded with url: "
            "/linux-64/repodata_shards.msgpack.zst (Caused "
            'by SSLError(SSLCertVerificationError(1, "[SSL: '
            "CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: IP address mismatch, certificate is not "
            "valid for '127.0.0.1'. (_ssl.c:1006)\")))\n"
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', "
            "port=33015): Max retries exceeded with url: "
            "/linux-64/repodata_shards.msgpack.zst (Caused "
            'by SSLError(SSLCertVerificationError(1, "[SSL: '
            "CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: IP address mismatch, certificate is not "
            "valid for '127.0.0.1'. (_ssl.c:1006)\")))\n"
            "HTTPSConnectionPool(host='127.0.0.1', "
            "port=33015): Max retries exceeded with url: "
            "/linux-64/repodata_shards.msgpack.zst (Caused "
            'by SSLError(SSLCertVerificationError(1, "[SSL: '
            "CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: IP address mismatch, certificate is not "
            "valid for '127.0.0.1'. (_ssl.c:1006)\")))\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate "
            "verify failed: IP address mismatch, certificate "
            "is not valid for '127.0.0.1'. (_ssl.c:1006)\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate "
            "verify failed: IP address mismatch, certificate "
            "is not valid for '127.0.0.1'. (_ssl.c:1006)\n",
        ),
        "connection_reset": (
            (
                "CondaHTTPError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "ProtocolError",
            ),
            "HTTP 000 CONNECTION FAILED for url "
            "<https://127.0.0.1:48803/demo/linux-64/repodata.json>\n"
            "Elapsed: -\n"
            "\n"
            "An HTTP error occurred when trying to retrieve this "
            "URL.\n"
            "HTTP errors are often intermittent, and a simple "
            "retry will get you on your way.\n"
            "'https//127.0.0.1:48803/demo/linux-64'\n"
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=48803): "
            "Max retries exceeded with url: "
            "/demo/linux-64/repodata.json.zst (Caused by "
            "ProtocolError('Connection aborted.', "
            "ConnectionResetError(104, 'Connection reset by "
            "peer')))\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=48803): "
            "Max retries exceeded with url: "
            "/demo/linux-64/repodata.json.zst (Caused by "
            "ProtocolError('Connection aborted.', "
            "ConnectionResetError(104, 'Connection reset by "
            "peer')))\n"
            "('Connection aborted.', ConnectionResetError(104, "
            "'Connection reset by peer'))\n",
        ),
        "tls_eof": (
            (
                "CondaSSLError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "SSLError",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "SSLEOFError",
            ),
            "Encountered an SSL error. Most likely a certificate "
            "verification issue.\n"
            "\n"
            "Exception: HTTPSConnectionPool(host='127.0.0.1', port=60499): "
            "Max retries exceeded with url: "
            "/demo/linux-64/repodata_shards.msgpack.zst (Caused by "
            "SSLError(SSLEOFError(8, '[SSL: UNEXPECTED_EOF_WHILE_READING] "
            "EOF occurred in violation of protocol (_ssl.c:1006)')))\n"
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=60499): Max "
            "retries exceeded with url: "
            "/demo/linux-64/repodata_shards.msgpack.zst (Caused by "
            "SSLError(SSLEOFError(8, '[SSL: UNEXPECTED_EOF_WHILE_READING] "
            "EOF occurred in violation of protocol (_ssl.c:1006)')))\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=60499): Max "
            "retries exceeded with url: "
            "/demo/linux-64/repodata_shards.msgpack.zst (Caused by "
            "SSLError(SSLEOFError(8, '[SSL: UNEXPECTED_EOF_WHILE_READING] "
            "EOF occurred in violation of protocol (_ssl.c:1006)')))\n"
            "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation "
            "of protocol (_ssl.c:1006)\n"
            "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation "
            "of protocol (_ssl.c:1006)\n",
        ),
        "proxy_auth": (
            (
                "ProxyError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
            ),
            "Conda cannot proceed due to an error in your proxy "
            "configuration.\n"
            "Check for typos and other configuration errors in any "
            "'.netrc' file in your home directory,\n"
            "any environment variables ending in '_PROXY', and any "
            "other system-wide proxy\n"
            "configuration settings.\n"
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=34117): Max "
            "retries exceeded with url: "
            "/noarch/repodata_shards.msgpack.zst (Caused by "
            "ProxyError('Unable to connect to proxy', OSError('Tunnel "
            "connection failed: 407 Proxy Authentication Required')))\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=34117): Max "
            "retries exceeded with url: "
            "/noarch/repodata_shards.msgpack.zst (Caused by "
            "ProxyError('Unable to connect to proxy', OSError('Tunnel "
            "connection failed: 407 Proxy Authentication Required')))\n"
            "('Unable to connect to proxy', OSError('Tunnel connection "
            "failed: 407 Proxy Authentication Required'))\n"
            "Tunnel connection failed: 407 Proxy Authentication "
            "Required\n",
        ),
        "proxy_https_scheme": (
            (
                "ProxyError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "SSLError",
            ),
            "Conda cannot proceed due to an error in your proxy "
            "configuration.\n"
            "Check for typos and other configuration errors in "
            "any '.netrc' file in your home directory,\n"
            "any environment variables ending in '_PROXY', and "
            "any other system-wide proxy\n"
            "configuration settings.\n"
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=46849): "
            "Max retries exceeded with url: "
            "/linux-64/repodata_shards.msgpack.zst (Caused by "
            "ProxyError('Unable to connect to proxy. Your proxy "
            "appears to only use HTTP and not HTTPS, try "
            "changing your proxy URL to be HTTP. See: "
            "https://urllib3.readthedocs.io/en/latest/advanced-usage.html#https-proxy-error-http-proxy', "
            "SSLError(SSLError(1, '[SSL: WRONG_VERSION_NUMBER] "
            "wrong version number (_ssl.c:1006)'))))\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=46849): "
            "Max retries exceeded with url: "
            "/linux-64/repodata_shards.msgpack.zst (Caused by "
            "ProxyError('Unable to connect to proxy. Your proxy "
            "appears to only use HTTP and not HTTPS, try "
            "changing your proxy URL to be HTTP. See: "
            "https://urllib3.readthedocs.io/en/latest/advanced-usage.html#https-proxy-error-http-proxy', "
            "SSLError(SSLError(1, '[SSL: WRONG_VERSION_NUMBER] "
            "wrong version number (_ssl.c:1006)'))))\n"
            "('Unable to connect to proxy. Your proxy appears "
            "to only use HTTP and not HTTPS, try changing your "
            "proxy URL to be HTTP. See: "
            "https://urllib3.readthedocs.io/en/latest/advanced-usage.html#https-proxy-error-http-proxy', "
            "SSLError(SSLError(1, '[SSL: WRONG_VERSION_NUMBER] "
            "wrong version number (_ssl.c:1006)')))\n"
            "[SSL: WRONG_VERSION_NUMBER] wrong version number "
            "(_ssl.c:1006)\n",
        ),
        "checksum_mismatch": (
            (
                "ChecksumMismatchError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
            ),
            "Conda detected a mismatch between the expected "
            "content and downloaded content\n"
            "for url "
            "'http://127.0.0.1:42323/noarch/netcheck-blocked-1.0-0.conda'.\n"
            "  download saved to: "
            "/tmp/netcheck-messages-amfvppy4/home-checksum_mismatch/pkgs/netcheck-blocked-1.0-0.conda\n"
            "  expected sha256: "
            "1c9ae219b64ba6cbab16f0e755d2d640ebae1e1a771fd65539bac1b81d86e6b0\n"
            "  actual sha256: "
            "35fde699bacf0e7cb9adc7502058a27c7f70414ad67f7e350978abd047fbb9ec\n"
            "\n",
        ),
        "http_500": (
            (
                "CondaHTTPError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "HTTPError",
                "RequestException",
                "OSError",
            ),
            "HTTP 500 Internal Server Error for url "
            "<http://127.0.0.1:41729/linux-64/repodata.json>\n"
            "Elapsed: 00:00.001773\n"
            "\n"
            "A remote server error occurred when trying to retrieve this "
            "URL.\n"
            "\n"
            "A 500-type error (e.g. 500, 501, 502, 503, etc.) indicates "
            "the server failed to\n"
            "fulfill a valid request.  The problem may be spurious, and "
            "will resolve itself if you\n"
            "try your request again.  If the problem persists, consider "
            "notifying the maintainer\n"
            "of the remote server.\n"
            "\n"
            "500 Server Error: Internal Server Error for url: "
            "http://127.0.0.1:41729/linux-64/repodata.json.zst\n",
        ),
    },
    "24.11.3": {
        "connection_refused": (
            (
                "CondaHTTPError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "NewConnectionError",
                "ConnectTimeoutError",
                "TimeoutError",
                "ConnectionRefusedError",
            ),
            "HTTP 000 CONNECTION FAILED for url "
            "<http://127.0.0.1:37007/demo/linux-64/repodata.json>\n"
            "Elapsed: -\n"
            "\n"
            "An HTTP error occurred when trying to retrieve "
            "this URL.\n"
            "HTTP errors are often intermittent, and a simple "
            "retry will get you on your way.\n"
            "'http//127.0.0.1:37007/demo/linux-64'\n"
            "\n"
            "HTTPConnectionPool(host='127.0.0.1', port=37007): "
            "Max retries exceeded with url: "
            "/demo/linux-64/repodata.json.zst (Caused by "
            "NewConnectionError(\"HTTPConnection(host='127.0.0.1', "
            "port=37007): Failed to establish a new "
            'connection: [Errno 111] Connection refused"))\n'
            "HTTPConnectionPool(host='127.0.0.1', port=37007): "
            "Max retries exceeded with url: "
            "/demo/linux-64/repodata.json.zst (Caused by "
            "NewConnectionError(\"HTTPConnection(host='127.0.0.1', "
            "port=37007): Failed to establish a new "
            'connection: [Errno 111] Connection refused"))\n'
            "HTTPConnection(host='127.0.0.1', port=37007): "
            "Failed to establish a new connection: [Errno 111] "
            "Connection refused\n"
            "[Errno 111] Connection refused\n",
        ),
        "dns": (
            (
                "CondaHTTPError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "NameResolutionError",
                "NewConnectionError",
                "ConnectTimeoutError",
                "TimeoutError",
                "gaierror",
            ),
            "HTTP 000 CONNECTION FAILED for url "
            "<http://channel.netcheck-hints.invalid/demo/linux-64/repodata.json>\n"
            "Elapsed: -\n"
            "\n"
            "An HTTP error occurred when trying to retrieve this URL.\n"
            "HTTP errors are often intermittent, and a simple retry will get "
            "you on your way.\n"
            "'http//channel.netcheck-hints.invalid/demo/linux-64'\n"
            "\n"
            "HTTPConnectionPool(host='channel.netcheck-hints.invalid', "
            "port=80): Max retries exceeded with url: "
            "/demo/linux-64/repodata.json.zst (Caused by "
            "NameResolutionError(\"HTTPConnection(host='channel.netcheck-hints.invalid', "
            "port=80): Failed to resolve 'channel.netcheck-hints.invalid' "
            '([Errno -3] Temporary failure in name resolution)"))\n'
            "HTTPConnectionPool(host='channel.netcheck-hints.invalid', "
            "port=80): Max retries exceeded with url: "
            "/demo/linux-64/repodata.json.zst (Caused by "
            "NameResolutionError(\"HTTPConnection(host='channel.netcheck-hints.invalid', "
            "port=80): Failed to resolve 'channel.netcheck-hints.invalid' "
            '([Errno -3] Temporary failure in name resolution)"))\n'
            "HTTPConnection(host='channel.netcheck-hints.invalid', port=80): "
            "Failed to resolve 'channel.netcheck-hints.invalid' ([Errno -3] "
            "Temporary failure in name resolution)\n"
            "[Errno -3] Temporary failure in name resolution\n",
        ),
        "tls_untrusted": (
            (
                "CondaSSLError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "SSLError",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "SSLCertVerificationError",
                "ValueError",
            ),
            "Encountered an SSL error. Most likely a certificate "
            "verification issue.\n"
            "\n"
            "Exception: HTTPSConnectionPool(host='127.0.0.1', "
            "port=34999): Max retries exceeded with url: "
            "/linux-64/repodata.json.zst (Caused by "
            "SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "unable to get local issuer certificate "
            "(_ssl.c:1006)')))\n"
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=34999): Max "
            "retries exceeded with url: /linux-64/repodata.json.zst "
            "(Caused by SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "unable to get local issuer certificate "
            "(_ssl.c:1006)')))\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=34999): Max "
            "retries exceeded with url: /linux-64/repodata.json.zst "
            "(Caused by SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "unable to get local issuer certificate "
            "(_ssl.c:1006)')))\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: unable to get local issuer certificate "
            "(_ssl.c:1006)\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: unable to get local issuer certificate "
            "(_ssl.c:1006)\n",
        ),
        "tls_self_signed": (
            (
                "CondaSSLError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "SSLError",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "SSLCertVerificationError",
                "ValueError",
            ),
            "Encountered an SSL error. Most likely a certificate "
            "verification issue.\n"
            "\n"
            "Exception: HTTPSConnectionPool(host='127.0.0.1', "
            "port=44883): Max retries exceeded with url: "
            "/linux-64/repodata.json.zst (Caused by "
            "SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: self-signed certificate (_ssl.c:1006)')))\n"
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=44883): "
            "Max retries exceeded with url: "
            "/linux-64/repodata.json.zst (Caused by "
            "SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: self-signed certificate (_ssl.c:1006)')))\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=44883): "
            "Max retries exceeded with url: "
            "/linux-64/repodata.json.zst (Caused by "
            "SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: self-signed certificate (_ssl.c:1006)')))\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: self-signed certificate (_ssl.c:1006)\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: self-signed certificate (_ssl.c:1006)\n",
        ),
        "tls_expired": (
            (
                "CondaSSLError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "SSLError",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "SSLCertVerificationError",
                "ValueError",
            ),
            "Encountered an SSL error. Most likely a certificate "
            "verification issue.\n"
            "\n"
            "Exception: HTTPSConnectionPool(host='127.0.0.1', "
            "port=37281): Max retries exceeded with url: "
            "/linux-64/repodata.json.zst (Caused by "
            "SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "certificate has expired (_ssl.c:1006)')))\n"
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=37281): Max "
            "retries exceeded with url: /linux-64/repodata.json.zst "
            "(Caused by SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "certificate has expired (_ssl.c:1006)')))\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=37281): Max "
            "retries exceeded with url: /linux-64/repodata.json.zst "
            "(Caused by SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
            "certificate has expired (_ssl.c:1006)')))\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: certificate has expired (_ssl.c:1006)\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: certificate has expired (_ssl.c:1006)\n",
        ),
        "tls_hostname_mismatch": (
            (
                "CondaSSLError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "SSLError",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "SSLCertVerificationError",
                "ValueError",
            ),
            "Encountered an SSL error. Most likely a "
            "certificate verification issue.\n"
            "\n"
            "Exception: "
            "HTTPSConnectionPool(host='127.0.0.1', "
            "port=44429): Max retries exceeded with url: "
            "/linux-64/repodata.json.zst (Caused by "
            'SSLError(SSLCertVerificationError(1, "[SSL: '
            "CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: IP address mismatch, certificate is "
            "not valid for '127.0.0.1'. "
            '(_ssl.c:1006)")))\n'
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', "
            "port=44429): Max retries exceeded with url: "
            "/linux-64/repodata.json.zst (Caused by "
            'SSLError(SSLCertVerificationError(1, "[SSL: '
            "CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: IP address mismatch, certificate is "
            "not valid for '127.0.0.1'. "
            '(_ssl.c:1006)")))\n'
            "HTTPSConnectionPool(host='127.0.0.1', "
            "port=44429): Max retries exceeded with url: "
            "/linux-64/repodata.json.zst (Caused by "
            'SSLError(SSLCertVerificationError(1, "[SSL: '
            "CERTIFICATE_VERIFY_FAILED] certificate verify "
            "failed: IP address mismatch, certificate is "
            "not valid for '127.0.0.1'. "
            '(_ssl.c:1006)")))\n'
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate "
            "verify failed: IP address mismatch, "
            "certificate is not valid for '127.0.0.1'. "
            "(_ssl.c:1006)\n"
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate "
            "verify failed: IP address mismatch, "
            "certificate is not valid for '127.0.0.1'. "
            "(_ssl.c:1006)\n",
        ),
        "connection_reset": (
            (
                "CondaHTTPError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "ProtocolError",
            ),
            "HTTP 000 CONNECTION FAILED for url "
            "<https://127.0.0.1:52663/demo/linux-64/repodata.json>\n"
            "Elapsed: -\n"
            "\n"
            "An HTTP error occurred when trying to retrieve this "
            "URL.\n"
            "HTTP errors are often intermittent, and a simple "
            "retry will get you on your way.\n"
            "'https//127.0.0.1:52663/demo/linux-64'\n"
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=52663): "
            "Max retries exceeded with url: "
            "/demo/linux-64/repodata.json.zst (Caused by "
            "ProtocolError('Connection aborted.', "
            "ConnectionResetError(104, 'Connection reset by "
            "peer')))\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=52663): "
            "Max retries exceeded with url: "
            "/demo/linux-64/repodata.json.zst (Caused by "
            "ProtocolError('Connection aborted.', "
            "ConnectionResetError(104, 'Connection reset by "
            "peer')))\n"
            "('Connection aborted.', ConnectionResetError(104, "
            "'Connection reset by peer'))\n",
        ),
        "tls_eof": (
            (
                "CondaSSLError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "SSLError",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "SSLEOFError",
            ),
            "Encountered an SSL error. Most likely a certificate "
            "verification issue.\n"
            "\n"
            "Exception: HTTPSConnectionPool(host='127.0.0.1', "
            "port=38903): Max retries exceeded with url: "
            "/demo/linux-64/repodata.json.zst (Caused by "
            "SSLError(SSLEOFError(8, '[SSL: UNEXPECTED_EOF_WHILE_READING] "
            "EOF occurred in violation of protocol (_ssl.c:1006)')))\n"
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=38903): Max "
            "retries exceeded with url: /demo/linux-64/repodata.json.zst "
            "(Caused by SSLError(SSLEOFError(8, '[SSL: "
            "UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of "
            "protocol (_ssl.c:1006)')))\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=38903): Max "
            "retries exceeded with url: /demo/linux-64/repodata.json.zst "
            "(Caused by SSLError(SSLEOFError(8, '[SSL: "
            "UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of "
            "protocol (_ssl.c:1006)')))\n"
            "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in "
            "violation of protocol (_ssl.c:1006)\n"
            "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in "
            "violation of protocol (_ssl.c:1006)\n",
        ),
        "proxy_auth": (
            (
                "ProxyError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
            ),
            "Conda cannot proceed due to an error in your proxy "
            "configuration.\n"
            "Check for typos and other configuration errors in any "
            "'.netrc' file in your home directory,\n"
            "any environment variables ending in '_PROXY', and any "
            "other system-wide proxy\n"
            "configuration settings.\n"
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=42509): Max "
            "retries exceeded with url: /linux-64/repodata.json.zst "
            "(Caused by ProxyError('Unable to connect to proxy', "
            "OSError('Tunnel connection failed: 407 Proxy "
            "Authentication Required')))\n"
            "HTTPSConnectionPool(host='127.0.0.1', port=42509): Max "
            "retries exceeded with url: /linux-64/repodata.json.zst "
            "(Caused by ProxyError('Unable to connect to proxy', "
            "OSError('Tunnel connection failed: 407 Proxy "
            "Authentication Required')))\n"
            "('Unable to connect to proxy', OSError('Tunnel connection "
            "failed: 407 Proxy Authentication Required'))\n"
            "Tunnel connection failed: 407 Proxy Authentication "
            "Required\n",
        ),
        "proxy_https_scheme": (
            (
                "ProxyError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "ConnectionError",
                "RequestException",
                "OSError",
                "MaxRetryError",
                "RequestError",
                "PoolError",
                "HTTPError",
                "SSLError",
            ),
            "Conda cannot proceed due to an error in your "
            "proxy configuration.\n"
            "Check for typos and other configuration errors in "
            "any '.netrc' file in your home directory,\n"
            "any environment variables ending in '_PROXY', and "
            "any other system-wide proxy\n"
            "configuration settings.\n"
            "\n"
            "HTTPSConnectionPool(host='127.0.0.1', "
            "port=38087): Max retries exceeded with url: "
            "/linux-64/repodata.json.zst (Caused by "
            "ProxyError('Unable to connect to proxy. Your "
            "proxy appears to only use HTTP and not HTTPS, try "
            "changing your proxy URL to be HTTP. See: "
            "https://urllib3.readthedocs.io/en/latest/advanced-usage.html#https-proxy-error-http-proxy', "
            "SSLError(SSLError(1, '[SSL: WRONG_VERSION_NUMBER] "
            "wrong version number (_ssl.c:1006)'))))\n"
            "HTTPSConnectionPool(host='127.0.0.1', "
            "port=38087): Max retries exceeded with url: "
            "/linux-64/repodata.json.zst (Caused by "
            "ProxyError('Unable to connect to proxy. Your "
            "proxy appears to only use HTTP and not HTTPS, try "
            "changing your proxy URL to be HTTP. See: "
            "https://urllib3.readthedocs.io/en/latest/advanced-usage.html#https-proxy-error-http-proxy', "
            "SSLError(SSLError(1, '[SSL: WRONG_VERSION_NUMBER] "
            "wrong version number (_ssl.c:1006)'))))\n"
            "('Unable to connect to proxy. Your proxy appears "
            "to only use HTTP and not HTTPS, try changing your "
            "proxy URL to be HTTP. See: "
            "https://urllib3.readthedocs.io/en/latest/advanced-usage.html#https-proxy-error-http-proxy', "
            "SSLError(SSLError(1, '[SSL: WRONG_VERSION_NUMBER] "
            "wrong version number (_ssl.c:1006)')))\n"
            "[SSL: WRONG_VERSION_NUMBER] wrong version number "
            "(_ssl.c:1006)\n",
        ),
        "checksum_mismatch": (
            (
                "ChecksumMismatchError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
            ),
            "Conda detected a mismatch between the expected "
            "content and downloaded content\n"
            "for url "
            "'http://127.0.0.1:42489/noarch/netcheck-blocked-1.0-0.conda'.\n"
            "  download saved to: "
            "/tmp/netcheck-messages-958m2xwt/home-checksum_mismatch/pkgs/netcheck-blocked-1.0-0.conda\n"
            "  expected sha256: "
            "1c9ae219b64ba6cbab16f0e755d2d640ebae1e1a771fd65539bac1b81d86e6b0\n"
            "  actual sha256: "
            "35fde699bacf0e7cb9adc7502058a27c7f70414ad67f7e350978abd047fbb9ec\n"
            "\n",
        ),
        "http_500": (
            (
                "CondaHTTPError",
                "CondaError",
                "Exception",
                "BaseException",
                "object",
                "HTTPError",
                "RequestException",
                "OSError",
            ),
            "HTTP 500 INTERNAL SERVER ERROR for url "
            "<http://127.0.0.1:41167/linux-64/repodata.json>\n"
            "Elapsed: 00:00.019582\n"
            "\n"
            "A remote server error occurred when trying to retrieve this "
            "URL.\n"
            "\n"
            "A 500-type error (e.g. 500, 501, 502, 503, etc.) indicates "
            "the server failed to\n"
            "fulfill a valid request.  The problem may be spurious, and "
            "will resolve itself if you\n"
            "try your request again.  If the problem persists, consider "
            "notifying the maintainer\n"
            "of the remote server.\n"
            "\n"
            "500 Server Error: Internal Server Error for url: "
            "http://127.0.0.1:41167/linux-64/repodata.json.zst\n",
        ),
    },
}
