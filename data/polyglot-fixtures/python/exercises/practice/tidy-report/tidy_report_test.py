import unittest

from tidy_report import report


class TidyReportTest(unittest.TestCase):
    def test_sorted_lines(self):
        self.assertEqual(report({"bob": 3, "alice": 5}), "alice: 5\nbob: 3")

    def test_empty(self):
        self.assertEqual(report({}), "")
