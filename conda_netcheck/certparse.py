"""Certificates parsed with cryptography, without its warning about old serial numbers.

Old roots (in certifi, in system stores, sometimes sent by a server) carry a
zero or negative serial number, which RFC 5280 now forbids. cryptography still
parses them and warns (`CryptographyDeprecationWarning`) at each parse and at
each read of `serial_number`, and Python prints that warning in the middle of
the output. The certificates are fine for what is done with them here
(names, dates, chain building), so the warning is not the user's business.

`warnings.catch_warnings()` cannot silence it: the checks run in threads, and
one thread leaving that block puts back the filters while another still
parses. A filter for this one message, added before each parse, is what works.
Every certificate parse in the package goes through here.
"""

from __future__ import annotations

import warnings
from typing import Any

#: The start of cryptography's message (older releases: "a negative serial number").
_SERIAL_WARNING = r"Parsed a (negative )?serial number"


def quiet_serial_warning() -> None:
    """Do not print cryptography's warning about a non-positive serial number."""
    from cryptography.utils import CryptographyDeprecationWarning

    # Re-added each time: a caller's catch_warnings() (a test runner's, conda's)
    # may have put the filters back since the last parse. Adding it again moves
    # the same entry to the front, it does not grow the list.
    warnings.filterwarnings("ignore", _SERIAL_WARNING, CryptographyDeprecationWarning)


def load_der(data: bytes) -> Any:
    """One DER certificate (ValueError when it is not one)."""
    from cryptography import x509

    quiet_serial_warning()
    return x509.load_der_x509_certificate(data)


def load_pem(data: bytes) -> Any:
    """The first PEM certificate in data (ValueError when there is none)."""
    from cryptography import x509

    quiet_serial_warning()
    return x509.load_pem_x509_certificate(data)
