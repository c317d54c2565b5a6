# The Debian package (scripts/package runs cpack with it): the binary, the systemd unit, the
# default config and environment file under /etc/wiregate (conffiles), a `wiregate` system user
# and `wiregate-secrets` group (postinst), the man page and bash completion generated from the
# CLI's own help at install time.
set(WIRE_DEB_DIR ${PROJECT_SOURCE_DIR}/deploy/debian)
set(WIRE_DEB_GEN ${PROJECT_BINARY_DIR}/package-files)

install(TARGETS wiregate RUNTIME DESTINATION bin)

# The unit of deploy/systemd with the packaged binary's path.
file(READ ${PROJECT_SOURCE_DIR}/deploy/systemd/wiregate.service WIRE_UNIT)
string(REPLACE "/usr/local/bin/wiregate" "/usr/bin/wiregate" WIRE_UNIT "${WIRE_UNIT}")
file(WRITE ${WIRE_DEB_GEN}/wiregate.service "${WIRE_UNIT}")
install(FILES ${WIRE_DEB_GEN}/wiregate.service DESTINATION /lib/systemd/system)

install(FILES ${PROJECT_SOURCE_DIR}/deploy/config/package.yaml DESTINATION /etc/wiregate
        RENAME config.yaml PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
install(FILES ${WIRE_DEB_DIR}/wiregate.env DESTINATION /etc/wiregate
        PERMISSIONS OWNER_READ OWNER_WRITE)

install(CODE "
  file(MAKE_DIRECTORY ${WIRE_DEB_GEN})
  execute_process(COMMAND sh ${WIRE_DEB_DIR}/make_manpage.sh $<TARGET_FILE:wiregate>
                          ${WIRE_DEB_GEN}/wiregate.1 COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND gzip -9nf ${WIRE_DEB_GEN}/wiregate.1 COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND python3 ${WIRE_DEB_DIR}/make_completion.py $<TARGET_FILE:wiregate>
                          ${WIRE_DEB_GEN}/wiregate COMMAND_ERROR_IS_FATAL ANY)
  execute_process(COMMAND gzip -9nc ${WIRE_DEB_DIR}/changelog
                  OUTPUT_FILE ${WIRE_DEB_GEN}/changelog.Debian.gz COMMAND_ERROR_IS_FATAL ANY)
")
install(FILES ${WIRE_DEB_GEN}/wiregate.1.gz DESTINATION share/man/man1)
install(FILES ${WIRE_DEB_GEN}/wiregate DESTINATION share/bash-completion/completions)
install(FILES ${WIRE_DEB_DIR}/copyright ${WIRE_DEB_GEN}/changelog.Debian.gz
        DESTINATION share/doc/wiregate)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME wiregate)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CONTACT "wiregate maintainers <maintainers@wiregate.example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "news-agency wire gateway: wire copy in, IPTC ninjs stories to Kafka")
string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
       "wiregate takes stories from news agencies' feeds (HTTP push, telex\n"
       "lines), normalises each one to IPTC ninjs 2.2 inside an envelope and\n"
       "publishes it to Kafka topics for newsroom desks, with a durable spool,\n"
       "dedup and dead letters.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${WIRE_DEB_DIR}/postinst ${WIRE_DEB_DIR}/postrm
                                       ${WIRE_DEB_DIR}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
