export * from './process-tree';
export * from './sftp-server';
export * from './s3-server';
export * from './ftp-server';
export * from './mail-capture';
