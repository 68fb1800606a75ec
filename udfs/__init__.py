"""xlcredits worksheet functions for Excel (xlwings "UDF Modules = udfs").

    =CREDIT_45X("1e", 300, 100)            Form 7207 credit of one product row
    =NJ_RD_CREDIT("regular", B5, B6, B7)    NJ Form 306 line 28

Thin adapters: every rate and rule comes from the xlcredits engine, imported on first use so
that Excel loads this module fast. Argument cleaning lives in `udfs._excel`.
"""

from .f7207 import CREDIT_45X, LINE_45X, MACR_THRESHOLD_45X, PHASEOUT_45X, RATE_45X, UNIT_45X
from . import f7207, nj306
from ._excel import errors_as_text
from .nj306 import NJ_ALLOWABLE_CREDIT, NJ_FIXED_BASE_EXISTING, NJ_FIXED_BASE_STARTUP, NJ_MINIMUM_TAX, NJ_RD_CREDIT

errors_as_text(f7207, nj306)  # an error cell reaches every function as "#N/A", never as an empty cell

__all__ = [
    "CREDIT_45X", "RATE_45X", "UNIT_45X", "LINE_45X", "PHASEOUT_45X", "MACR_THRESHOLD_45X",
    "NJ_RD_CREDIT", "NJ_MINIMUM_TAX", "NJ_FIXED_BASE_STARTUP", "NJ_FIXED_BASE_EXISTING", "NJ_ALLOWABLE_CREDIT",
]
