run pasted_session.txt
