"""Where uploaded documents, project fiches and programme booklets are stored (issue 4, point 2).

By default the local media folder (MEDIA_ROOT). With ``FABRIQUE_S3_BUCKET`` set, an S3-compatible bucket
(AWS, MinIO, Scaleway, OVH…) through django-storages, so that web servers and workers on several machines
share the same files.

The files stay private: the platform serves them only through its permission-checking views, which read
them with ``storage.open()``. No object is made public and no bucket URL is ever shown; the signed,
short-lived URLs below only matter if some code asked for ``.url`` by mistake.
"""

from collections.abc import Mapping
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

FILE_SYSTEM_STORAGE = "django.core.files.storage.FileSystemStorage"
S3_STORAGE = "storages.backends.s3.S3Storage"

S3_BUCKET = "FABRIQUE_S3_BUCKET"
S3_ENDPOINT_URL = "FABRIQUE_S3_ENDPOINT_URL"
S3_REGION = "FABRIQUE_S3_REGION"
S3_ACCESS_KEY_ID = "FABRIQUE_S3_ACCESS_KEY_ID"
S3_SECRET_ACCESS_KEY = "FABRIQUE_S3_SECRET_ACCESS_KEY"  # noqa: S105 (a variable name, not a secret)
S3_PREFIX = "FABRIQUE_S3_PREFIX"
S3_VARIABLES = (S3_BUCKET, S3_ENDPOINT_URL, S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_PREFIX)

# Lifetime of a signed URL, should one ever be generated: nothing in the platform links to the bucket.
SIGNED_URL_SECONDS = 300


def file_storage_from_env(env: Mapping[str, str]) -> dict:
    """The ``STORAGES["default"]`` entry described by the ``FABRIQUE_S3_*`` variables of ``env``.

    No bucket: the local media folder. A bucket: S3Storage, with private objects and unique names (a
    rebuilt fiche gets a new name, and the old file is deleted once the new one is recorded).
    ImproperlyConfigured when the configuration is half done, rather than silently writing to local
    disks that the other machines do not see:
    - any other ``FABRIQUE_S3_*`` variable set without the bucket;
    - only one of the access key id and the secret key (with neither, boto3 looks for credentials
      itself: ``AWS_*`` variables, instance role);
    - an endpoint that is not an http(s) URL.
    """
    values = {name: env.get(name, "").strip() for name in S3_VARIABLES}
    bucket = values[S3_BUCKET]
    if not bucket:
        stray = [name for name in S3_VARIABLES if values[name]]
        if stray:
            raise ImproperlyConfigured(
                f"{', '.join(stray)} set but {S3_BUCKET} is empty: set the bucket to store files in S3, "
                "or remove these variables to store them in MEDIA_ROOT."
            )
        return {"BACKEND": FILE_SYSTEM_STORAGE}

    access_key, secret_key = values[S3_ACCESS_KEY_ID], values[S3_SECRET_ACCESS_KEY]
    if bool(access_key) != bool(secret_key):
        missing = S3_SECRET_ACCESS_KEY if access_key else S3_ACCESS_KEY_ID
        raise ImproperlyConfigured(
            f"{missing} is missing: {S3_ACCESS_KEY_ID} and {S3_SECRET_ACCESS_KEY} go together "
            "(leave both empty to use boto3's own credentials, e.g. an instance role)."
        )
    endpoint_url = values[S3_ENDPOINT_URL]
    if endpoint_url and (
        urlsplit(endpoint_url).scheme not in {"http", "https"} or not urlsplit(endpoint_url).netloc
    ):
        raise ImproperlyConfigured(
            f"{S3_ENDPOINT_URL} must be an http(s) URL such as https://s3.fr-par.scw.cloud, "
            f"not {endpoint_url!r}."
        )

    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "region_name": values[S3_REGION] or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "location": values[S3_PREFIX].strip("/"),
        # No ACL header: objects get the bucket's default, owner-only access. Sending "private" would be
        # refused by AWS buckets whose ACLs are disabled (the default since 2023).
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": SIGNED_URL_SECONDS,
        "file_overwrite": False,
    }
    if endpoint_url:
        # MinIO and most other S3-compatible services expect https://endpoint/bucket/key, not a sub-domain.
        options["addressing_style"] = "path"
    return {"BACKEND": S3_STORAGE, "OPTIONS": options}
