#!/usr/bin/env bash
# A real OpenLDAP server (Debian's slapd) for the directory-sync tests:
#   scripts/ldap/start.sh DIR PORT
# Serves dc=campus,dc=test on ldap://127.0.0.1:PORT from DIR (created
# fresh), in the background; prints slapd's pid. Tests bind as
#   cn=admin,dc=campus,dc=test / test-admin-secret   (to write entries)
#   cn=campus-pass,dc=campus,dc=test / test-bind-secret   (what the sync uses)
# and each test writes its own ou=… under the suffix.
set -euo pipefail
DIR=$1 PORT=$2
rm -rf "$DIR" && mkdir -p "$DIR/data"
cat >"$DIR/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $DIR/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
# Below the directory's own limit: every sync must page its search.
sizelimit 50
database mdb
maxsize 104857600
suffix "dc=campus,dc=test"
rootdn "cn=admin,dc=campus,dc=test"
rootpw test-admin-secret
directory $DIR/data
limits dn.exact="cn=campus-pass,dc=campus,dc=test" size.soft=50 size.hard=50 size.pr=50 size.prtotal=unlimited
access to attrs=userPassword by anonymous auth by * none
access to * by * read
CONF
cat >"$DIR/base.ldif" <<LDIF
dn: dc=campus,dc=test
objectClass: dcObject
objectClass: organization
o: Campus Pass test directory
dc: campus

dn: cn=campus-pass,dc=campus,dc=test
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: campus-pass
userPassword: test-bind-secret

# The demo campus's directory, for the browser journey: two of its staff
# and a newcomer the staff list does not have yet.
dn: ou=people,dc=campus,dc=test
objectClass: organizationalUnit
ou: people

dn: uid=wangfang,ou=people,dc=campus,dc=test
objectClass: inetOrgPerson
uid: wangfang
cn: 王芳
sn: 王
employeeNumber: A1001
departmentNumber: CS
ou: 计算机学院

dn: uid=zhangwei,ou=people,dc=campus,dc=test
objectClass: inetOrgPerson
uid: zhangwei
cn: 张伟
sn: 张
employeeNumber: T1001
departmentNumber: CS
ou: 计算机学院

dn: uid=zhaolei,ou=people,dc=campus,dc=test
objectClass: inetOrgPerson
uid: zhaolei
cn: 赵磊
sn: 赵
employeeNumber: P0001
departmentNumber: CS
ou: 计算机学院
mobile: 13900000901
LDIF
/usr/sbin/slapadd -f "$DIR/slapd.conf" -l "$DIR/base.ldif" >/dev/null 2>&1
/usr/sbin/slapd -f "$DIR/slapd.conf" -h "ldap://127.0.0.1:$PORT/" >/dev/null 2>&1
for _ in $(seq 1 50); do [[ -s "$DIR/slapd.pid" ]] && break; sleep 0.1; done
cat "$DIR/slapd.pid"
