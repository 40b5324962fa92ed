"""The log file of a command: what is printed goes there too, and nothing logged afterwards hits a closed file."""

import logging

from tokcls.core.logfile import log_records_to_stdout, log_to_file


def test_a_record_logged_after_the_command_goes_to_the_console(tmp_path, capsys):
    errors = []
    handle_error = logging.Handler.handleError
    logging.Handler.handleError = lambda self, record: errors.append(record)  # what prints "--- Logging error ---"
    try:
        with log_to_file(tmp_path / "log.txt"):
            log_records_to_stdout()
            logging.getLogger("tokcls.test").info("inside")
        logging.getLogger("tokcls.test").info("after")
    finally:
        logging.Handler.handleError = handle_error
    assert errors == []
    assert (tmp_path / "log.txt").read_text() == "inside\n"
    assert capsys.readouterr().out == "inside\nafter\n"
