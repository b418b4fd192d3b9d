# Test certificates for the DestinationRule TLS catalogue entries (run in this directory; the CA keys are deleted after).
set -e
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca() { # name cn
  key $1-key.pem
  openssl req -x509 -new -key $1-key.pem -subj "/O=meshproof test/CN=$2" -days 36500 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out $1.pem
}
leaf() { # name cn ca sanext [days]
  key $1-key.pem
  openssl req -new -key $1-key.pem -subj "/O=meshproof test/CN=$2" -out /tmp/$1.csr
  printf "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n%s\n" "$4" > /tmp/$1.ext
  openssl x509 -req -in /tmp/$1.csr -CA $3.pem -CAkey $3-key.pem -CAcreateserial -days ${5:-36500} -sha256 -extfile /tmp/$1.ext -out $1.pem 2>/dev/null
}
ca ca "meshproof test root"
ca other-ca "meshproof other root"
leaf server secure ca "subjectAltName=DNS:secure,DNS:secure.default.svc.cluster.local,DNS:*.secure.example"
leaf client meshproof-client ca "subjectAltName=URI:spiffe://cluster.local/ns/default/sa/sleep"
leaf other-client meshproof-client other-ca "subjectAltName=DNS:client"
leaf other-server secure other-ca "subjectAltName=DNS:secure,DNS:secure.default.svc.cluster.local"
# expired: valid one day in 2015
key expired-server-key.pem
openssl req -new -key expired-server-key.pem -subj "/O=meshproof test/CN=secure" -out /tmp/exp.csr
mkdir -p /tmp/expca && rm -rf /tmp/expca/* && touch /tmp/expca/index.txt && echo 01 > /tmp/expca/serial
cat > /tmp/expca/ca.cnf <<EOC
[ca]
default_ca=d
[d]
dir=/tmp/expca
database=/tmp/expca/index.txt
serial=/tmp/expca/serial
new_certs_dir=/tmp/expca
default_md=sha256
policy=p
copy_extensions=none
[p]
commonName=supplied
organizationName=optional
[ext]
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=DNS:secure,DNS:secure.default.svc.cluster.local
EOC
openssl ca -batch -config /tmp/expca/ca.cnf -cert ca.pem -keyfile ca-key.pem -in /tmp/exp.csr -startdate 20150101000000Z -enddate 20150102000000Z -extensions ext -notext -out expired-server.pem 2>/dev/null
rm -f *.srl
rm -f ca-key.pem other-ca-key.pem
