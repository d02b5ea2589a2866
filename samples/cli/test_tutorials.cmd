test ../tutorials -k seed001
