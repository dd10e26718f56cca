/** Spanish texts, one per id in `keys.ts` (same order); `${0}` marks where a value goes. */
export const texts = [
  "Encontrado:", // found
  "Todo funciona.", // test.passed
  "No se pudo acceder al buzón con esta configuración.", // test.failedlead
  "Sesión iniciada.", // oauth.done
  "El inicio de sesión no terminó.", // oauth.failed
  "Buscando su configuración…", // addr.looking
  "Dirección", // stage.address
  "Acceso", // stage.signin
  "Prueba", // stage.test
  "Ajustes", // stage.final
  "Listo", // done
  "Progreso", // progress
  "Completado:", // stage.completed
  "Cargando…", // loading
  "No se encontró el nombre del servidor.", // code.dns
  "El servidor rechazó la conexión en este puerto.", // code.refused
  "El servidor no respondió a tiempo.", // code.timeout
  "El certificado de seguridad del servidor no es válido.", // code.cert
  "No se pudo establecer una conexión segura; puede que la seguridad no coincida con el puerto.", // code.tls
  "El usuario o la contraseña no fueron aceptados.", // code.auth
  "Este proveedor exige una contraseña de aplicación en lugar de su contraseña normal.", // code.apppw
  "El acceso caducó o fue revocado. Vuelva a conectar la cuenta.", // code.oauth
  "El acceso IMAP está desactivado para este buzón.", // code.imapoff
  "El envío con autenticación SMTP está desactivado para este buzón.", // code.smtpoff
  "No se encontró el buzón en el servidor.", // code.nombox
  "Esta dirección de servidor no está permitida.", // code.blocked
  "El servidor respondió de forma inesperada.", // code.protocol
  "Su sesión ha caducado. Recargue la página para continuar.", // code.session
  "Demasiados intentos. Espere un minuto y vuelva a intentarlo.", // code.rate
  "No se pudo contactar con el servidor. Compruebe su conexión y vuelva a intentarlo.", // code.network
  "Todavía no hay ningún buzón conectado.", // code.notconf
  "El acceso con este proveedor no está configurado en el servidor.", // code.oauthnotconf
  "No se concedió el acceso. Vuelva a intentarlo y permita el acceso al buzón.", // code.denied
  "Algo salió mal en el servidor.", // code.unknown
  "Compruebe que el nombre del servidor esté bien escrito.", // step.dns
  "Compruebe el puerto y la seguridad: en IMAP, 993 usa TLS y 143 STARTTLS; en SMTP, 465 usa TLS y 587 STARTTLS.", // step.port
  "Compruebe el nombre del servidor y el puerto, y vuelva a intentarlo.", // step.timeout
  "Compruebe el usuario (a menudo la dirección completa) y la contraseña.", // step.auth
  "Cree una contraseña de aplicación en los ajustes de seguridad de su proveedor y úsela aquí.", // step.apppw
  "Active el acceso en los ajustes del buzón o consulte a su administrador.", // step.enable
  "Servidor ${0}", // field.host
  "Puerto ${0}", // field.port
  "Seguridad ${0}", // field.security
  "Usuario ${0}", // field.username
  "Contraseña", // password
  "Buscando el servidor", // phase.dns
  "Conectando", // phase.connect
  "Asegurando la conexión", // phase.tls
  "Saludo del servidor", // phase.greeting
  "Iniciando sesión", // phase.auth
  "Abriendo la bandeja de entrada", // phase.mailbox
  "Proveedores conocidos", // source.builtin
  "Registros de servidor de correo (MX)", // source.mx
  "Configuración automática del dominio", // source.autoconfig
  "Registros de servicio (SRV)", // source.srv
  "Base de datos de proveedores", // source.ispdb
  "Probando nombres de servidor comunes", // source.guess
  "Seguro", // conf.high
  "Probable", // conf.medium
  "Suposición: compruébelo", // conf.low
  "TLS (cifrado)", // sec.tls
  "Ninguna (sin cifrar)", // sec.none
  "Introduzca una dirección de correo.", // addr.empty
  "Introduzca una dirección como support@example.com.", // addr.invalid
  "Conecte su buzón de soporte", // addr.title
  "Introduzca la dirección a la que le escriben sus clientes. Buscaremos su configuración.", // addr.lead
  "Dirección de correo", // addr.label
  "${0} no se puede conectar por IMAP y SMTP.", // addr.unsupported
  "Consultado", // addr.looked
  "Buscando…", // addr.busy
  "Continuar", // continue
  "Configurar manualmente", // manual.link
  "Encontrado: ${0}", // auth.found
  "No se encontró configuración para este dominio", // auth.notfound
  "Inicie sesión en su buzón", // auth.title
  "Por su seguridad, la contraseña no se conserva al recargar la página. Vuelva a introducirla.", // auth.lost
  "Continuar con ${0}", // auth.oauth
  "Recomendado: no se guarda ninguna contraseña y puede revocar el acceso en cualquier momento.", // auth.oauthhint
  "o use una contraseña", // auth.or
  "Contraseña de aplicación", // auth.apppw
  "Contraseña o contraseña de aplicación", // auth.pwlabel
  "Probar la conexión", // auth.test
  "Su buzón está conectado", // done.title
  "Los mensajes nuevos a esta dirección llegarán aquí, y las respuestas saldrán desde ella.", // done.lead
  "Ver la conexión", // done.view
  "Cada minuto", // int.1
  "Cada 5 minutos", // int.5
  "Cada 15 minutos", // int.15
  "Cada 30 minutos", // int.30
  "Cada hora", // int.60
  "Ajustes finales", // final.title
  "Cómo se firman las respuestas y cómo se recoge el correo.", // final.lead
  "Nombre del remitente", // final.from
  "p. ej. Soporte Acme", // final.fromph
  "Se muestra a los clientes junto a la dirección en cada respuesta.", // final.fromhint
  "Buscar correo nuevo", // final.interval
  "Eliminar los mensajes del buzón después de procesarlos", // final.delete
  "Desactivado por defecto: los mensajes se quedan en el buzón y solo se marcan como leídos.", // final.deletehint
  "Los mensajes eliminados no se pueden recuperar del buzón. Actívelo solo si se guarda otra copia.", // final.warning
  "Guardando…", // final.saving
  "Guardar y terminar", // final.save
  "Servidor", // manual.host
  "Puerto", // manual.port
  "Seguridad", // manual.security
  "Usuario", // manual.username
  "Déjelo vacío para conservar la contraseña guardada.", // manual.keep
  "Configuración del servidor", // manual.title
  "Compruebe la configuración de ${0}. Todo se puede cambiar.", // manual.lead
  "Otras configuraciones que pueden funcionar", // manual.alternatives
  "Correo entrante (IMAP)", // manual.imap
  "Correo saliente (SMTP)", // manual.smtp
  "Usar el mismo usuario y contraseña para enviar (SMTP)", // manual.same
  "Contraseña SMTP", // manual.smtppw
  "Iniciar sesión con ${0}", // oauth.title
  "Llevándole a ${0}…", // oauth.redirect
  "Termine de iniciar sesión en la ventana de ${0}. Esta página continuará sola.", // oauth.waiting
  "¿No ve la ventana? Puede estar detrás de esta, o su navegador la bloqueó.", // oauth.nowindow
  "${0} le pedirá que permita el acceso a este buzón.", // oauth.explain
  "Abrir la ventana de nuevo", // oauth.again
  "Cancelar", // cancel
  "Usar una contraseña", // oauth.password
  "Conectado", // ov.connected
  "No funciona", // ov.failing
  "Hay que iniciar sesión", // ov.reauth
  "Sin probar", // ov.untested
  "Buzón de soporte", // ov.title
  "Última prueba correcta el ${0}.", // ov.lastok
  "Última prueba fallida el ${0}.", // ov.lastbad
  "Todavía sin probar.", // ov.never
  "¿Desconectar este buzón? Se eliminarán su configuración y el acceso guardado.", // ov.confirm
  "Desconectar", // ov.disconnect
  "Mantenerlo", // ov.keep
  "Volver a conectar", // reconnect
  "Probar de nuevo", // ov.retest
  "Editar servidores", // ov.edit
  "Preferencias", // ov.prefs
  "Atrás", // back
  "Buzón", // sum.mailbox
  "Acceso", // sum.signin
  "Entrante", // sum.incoming
  "Saliente", // sum.outgoing
  "Comprobación", // sum.checks
  "Tras procesar", // sum.after
  "Eliminados", // sum.deleted
  "Se quedan en el buzón", // sum.kept
  "Funciona", // test.works
  "Falló", // test.failed
  "hecho", // test.phaseok
  "falló", // test.phasebad
  "Ajuste a revisar:", // test.field
  "Detalles técnicos", // test.details
  "Probando la conexión", // test.title
  "Iniciando sesión para recibir y enviar… tarda unos segundos.", // test.running
  "Recepción (IMAP)", // test.imap
  "Envío (SMTP)", // test.smtp
  "Corregir el ajuste", // test.fix
  "Editar la configuración", // test.edit
  "Reintentar", // retry
  "Este inicio de sesión ha caducado. Vuelva a empezar.", // code.expired
  "El proveedor no pudo completar el inicio de sesión. Vuelva a intentarlo en un momento.", // code.provider
  "No se concedió el acceso al correo. Vuelva a iniciar sesión y permita todos los permisos solicitados.", // code.scope
  "Introduzca la contraseña del buzón (o una contraseña de aplicación).", // code.pwreq
  "No se puede enviar una contraseña por una conexión sin cifrar; elija TLS o STARTTLS.", // code.insecure
];
